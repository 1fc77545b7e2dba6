"""Resumes are hostile input (issue #10, item 3): what the careers page accepts, by content.

- PDF: starts with ``%PDF-`` and ends with an ``%%EOF`` marker. Refused when any name in it is
  ``/JavaScript``, ``/JS``, ``/EmbeddedFile(s)``, ``/Launch``, ``/RichMedia``, ``/XFA`` or
  ``/AA``/``/OpenAction`` with script (names are read after decoding ``#xx`` escapes, so
  ``/J#61vaScript`` is ``/JavaScript``). Names hide inside compressed streams too (object
  streams): every ``/FlateDecode`` stream is inflated, with a cap on the total, and scanned
  the same way. A stream compressed otherwise (LZW, ASCII85, ...) is refused when it is an
  object stream or has no image filter: we cannot check it, so we do not take it.
- DOCX: a zip (``PK\\x03\\x04``) holding ``[Content_Types].xml`` and ``word/document.xml``;
  at most RECRUITING_DOCX_MAX_MEMBERS members, inflating to at most
  RECRUITING_DOCX_MAX_INFLATED bytes (counted while inflating, not trusted from the zip's
  directory): a zip bomb is refused. No ``vbaProject.bin``, no macro-enabled content type, no
  encrypted member, no ActiveX, no embedded objects, no template or object loaded from an
  external address.
- Anything else (a program renamed ``.pdf``, HTML, SVG, an image, an old ``.doc``) is refused.

Each refusal is a ValidationError whose message says what was wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# PDF names that run code, carry other files or open other programs.
_PDF_FORBIDDEN = {
    b"JavaScript": "script",
    b"JS": "script",
    b"EmbeddedFile": "embedded",
    b"EmbeddedFiles": "embedded",
    b"Launch": "launch",
    b"RichMedia": "embedded",
    b"XFA": "script",
}
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_IMAGE_FILTERS = (b"/DCTDecode", b"/JPXDecode", b"/CCITTFaxDecode", b"/JBIG2Decode")
# Inflated bytes a PDF's streams may add up to before we stop checking (and refuse).
PDF_MAX_INFLATED = 100 * 1024 * 1024

_DOCX_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"activex", b"vbadata")
# Relationships that fetch code from elsewhere when the document opens ("template injection"):
# an attached template, an OLE object, a frame or a sub-document with an external target.
# External hyperlinks (a profile page) stay allowed.
_DOCX_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_DOCX_REMOTE_CODE = re.compile(rb"/(attachedTemplate|oleObject|frame|subDocument)\"")


@dataclass(frozen=True)
class ResumeKind:
    content_type: str
    extension: str


def _refuse(message: str, code: str):
    raise ValidationError(message, code=code)


def resume_inspect(data: bytes) -> ResumeKind:
    """What the resume is (PDF or DOCX), or a ValidationError saying why it is refused."""
    limit = settings.RECRUITING_RESUME_MAX_BYTES
    if not data:
        _refuse(_("The resume file is empty."), "resume_empty")
    if len(data) > limit:
        _refuse(
            _("The resume is too large: at most %(mb)s MB.") % {"mb": limit // 2**20},
            "resume_too_large",
        )
    if data.startswith(b"%PDF-"):
        _pdf_check(data)
        return ResumeKind(PDF_TYPE, ".pdf")
    if data.startswith(b"PK\x03\x04"):
        _docx_check(data)
        return ResumeKind(DOCX_TYPE, ".docx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(
            _("Old Word documents (.doc) are not accepted: please save the resume as PDF or DOCX."),
            "resume_old_word",
        )
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        _refuse(
            _("This file is a program, not a resume: please send a PDF or DOCX document."),
            "resume_program",
        )
    _refuse(
        _(
            "The resume must be a PDF or DOCX document. This file is neither (its content was "
            "checked, not its name)."
        ),
        "resume_type",
    )
    raise AssertionError  # pragma: no cover


# --- PDF -----------------------------------------------------------------------------------------


def _pdf_names(data: bytes) -> set[bytes]:
    return {
        _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in _PDF_NAME.finditer(data)
    }


def _pdf_refuse_names(names: set[bytes]) -> None:
    found = {_PDF_FORBIDDEN[n] for n in names if n in _PDF_FORBIDDEN}
    if "script" in found:
        _refuse(
            _("The PDF contains JavaScript, which we do not accept: please send a plain PDF."),
            "resume_pdf_script",
        )
    if "embedded" in found:
        _refuse(
            _("The PDF contains embedded files, which we do not accept: please send a plain PDF."),
            "resume_pdf_embedded",
        )
    if "launch" in found:
        _refuse(
            _("The PDF tries to open other programs, which we do not accept."),
            "resume_pdf_launch",
        )


def _pdf_streams(data: bytes):
    """(dictionary, start, end) of each stream, found by its keywords; the dictionary is the
    text from the object's ``obj`` keyword to ``stream``."""
    position = 0
    while True:
        match = _PDF_STREAM.search(data, position)
        if match is None:
            return
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            _refuse(_("The PDF is damaged: a stream does not end."), "resume_pdf_damaged")
        window = data[max(0, match.start() - 65536) : match.start()]
        obj = window.rfind(b"obj")
        if obj < 0:
            # A dictionary too long to read is one whose filters we cannot know.
            _refuse_unreadable()
        # Names in the dictionary as a viewer reads them (``/Fl#61teDecode`` is FlateDecode).
        dictionary = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), window[obj:])
        yield dictionary, start, end
        position = end + len(b"endstream")


# Streams that are pixels or font programs: a viewer never reads PDF objects from them, and
# their binary bytes could spell a name by chance, so their content is not scanned for names.
_OPAQUE = (b"/Image", b"/Length1", b"/Length2", b"/Type1C", b"/CIDFontType0C", b"/OpenType")


def _pdf_check(data: bytes) -> None:
    if b"%%EOF" not in data[-65536:]:
        _refuse(_("The PDF is damaged or incomplete (no end marker)."), "resume_pdf_damaged")
    outside = []  # the PDF's text between streams: its objects, dictionaries and names
    position = 0
    inflated_total = 0
    for dictionary, start, end in _pdf_streams(data):
        outside.append(data[position:start])
        position = end
        object_stream = b"/ObjStm" in dictionary
        opaque = not object_stream and any(marker in dictionary for marker in _OPAQUE)
        if b"/FlateDecode" in dictionary:
            others = (b"/LZWDecode", b"/ASCII85Decode", b"/ASCIIHexDecode", b"/RunLength", b"/Fl ")
            if dictionary.count(b"/FlateDecode") > 1 or any(f in dictionary for f in others):
                # Packed twice, or packed otherwise on top: we inflate once, so we refuse.
                _refuse_unreadable()
            inflater = zlib.decompressobj()
            try:
                inflated = inflater.decompress(
                    data[start:end], max(1, PDF_MAX_INFLATED - inflated_total)
                )
            except zlib.error:
                # We cannot check what we cannot inflate, so it is refused.
                _refuse_unreadable()
            inflated_total += len(inflated)
            if inflater.unconsumed_tail:
                _refuse(
                    _("The PDF is too large once unpacked: please send a smaller file."),
                    "resume_pdf_inflated",
                )
            if not inflater.eof:
                # The stream ended before its compressed data did: the bytes "endstream"
                # inside it (a stored block can hold any bytes) cut it short here, and what
                # follows would pass unchecked.
                _refuse_unreadable()
            if not opaque:
                _pdf_refuse_names(_pdf_names(inflated))
        elif b"/Filter" in dictionary:
            if object_stream or not any(f in dictionary for f in _IMAGE_FILTERS):
                _refuse_unreadable()
        elif not opaque:
            _pdf_refuse_names(_pdf_names(data[start:end]))
    outside.append(data[position:])
    _pdf_refuse_names(_pdf_names(b"".join(outside)))


def _refuse_unreadable() -> None:
    _refuse(
        _(
            "The PDF has parts packed in a way we cannot check, so we cannot accept it: please "
            "save it again as a plain PDF (for example with \u201cPrint to PDF\u201d)."
        ),
        "resume_pdf_unreadable",
    )


# --- DOCX ----------------------------------------------------------------------------------------


def _docx_check(data: bytes) -> None:
    not_docx = _("The file is a zip archive, not a Word (DOCX) document.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        _refuse(_("The DOCX document is damaged."), "resume_docx_damaged")
    if len(members) > settings.RECRUITING_DOCX_MAX_MEMBERS:
        _refuse(_("The DOCX document has too many parts to be a resume."), "resume_docx_members")
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        _refuse(not_docx, "resume_docx_type")
    cap = settings.RECRUITING_DOCX_MAX_INFLATED
    total = 0
    content_types = b""
    relationships = []
    for member in members:
        lowered = member.filename.lower()
        if member.flag_bits & 0x1:
            _refuse(_("The DOCX document is encrypted."), "resume_docx_encrypted")
        if lowered.endswith("vbaproject.bin") or lowered.startswith("word/activex/"):
            _refuse_macros()
        if lowered.startswith("word/embeddings/"):
            _refuse(
                _(
                    "The Word document contains embedded objects (other files or programs), "
                    "which we do not accept."
                ),
                "resume_docx_embedded",
            )
        # Declared sizes can lie: count what inflating actually yields, and stop at the cap.
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(64 * 1024):
                    total += len(chunk)
                    if total > cap:
                        _refuse(
                            _(
                                "The DOCX document unpacks to more than %(mb)s MB: it is not "
                                "accepted (a compressed bomb)."
                            )
                            % {"mb": cap // 2**20},
                            "resume_docx_bomb",
                        )
                    if member.filename == "[Content_Types].xml" and len(content_types) < 1 << 20:
                        content_types += chunk
                    if lowered.endswith(".rels") and len(relationships) < 1 << 12:
                        relationships.append(chunk)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError):
            _refuse(_("The DOCX document is damaged."), "resume_docx_damaged")
    if any(marker in content_types.lower() for marker in _DOCX_MACRO_TYPES):
        _refuse_macros()
    for relationship in _DOCX_RELATIONSHIP.findall(b"".join(relationships)):
        if b'TargetMode="External"' in relationship and _DOCX_REMOTE_CODE.search(relationship):
            _refuse(
                _(
                    "The Word document loads a template or object from the internet, which we "
                    "do not accept: please save it as a plain DOCX."
                ),
                "resume_docx_remote",
            )


def _refuse_macros() -> None:
    _refuse(
        _("The Word document contains macros, which we do not accept: please save it as DOCX."),
        "resume_docx_macros",
    )
