"""Helpers of the recruiting tests (issue #10): openings, applications and crafted files."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from hr.models import Application, Opening
from hr.recruiting_resumes import DOCX_TYPE, PDF_TYPE
from tests.hr.factories import DepartmentFactory

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.4\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


PDF_JAVASCRIPT = pdf_with(
    b"1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n"
    b"2 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj"
)
PDF_JAVASCRIPT_HEX_NAME = pdf_with(
    b"1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(x)>>>>endobj"
)
PDF_EMBEDDED = pdf_with(b"1 0 obj<</Type/Catalog/Names<</EmbeddedFiles 2 0 R>>>>endobj")
PDF_LAUNCH = pdf_with(b"1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>>>endobj")


def pdf_object_stream(
    content: bytes, filters: bytes = b"/FlateDecode", *, packed: bytes | None = None
) -> bytes:
    """A PDF whose objects hide in a compressed object stream (``packed``: its stream bytes
    as given, already compressed)."""
    if packed is None:
        packed = zlib.compress(content) if filters == b"/FlateDecode" else content
    return pdf_with(
        b"1 0 obj<</Type/ObjStm/N 1/First 4/Filter "
        + filters
        + b"/Length "
        + str(len(packed)).encode()
        + b">>\nstream\n"
        + packed
        + b"\nendstream\nendobj"
    )


def docx(extra: dict[str, bytes] | None = None, content_types: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            content_types
            or b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/content-types"><Override PartName="/word/document.xml" ContentType="'
            b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
            b"/></Types>",
        )
        archive.writestr("_rels/.rels", b"<Relationships/>")
        archive.writestr(
            "word/document.xml", b"<w:document><w:body>Lebenslauf</w:body></w:document>"
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bomb(inflated_mb: int = 60) -> bytes:
    """A DOCX whose one member inflates to ``inflated_mb`` MB of zeros (about 60 kB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(inflated_mb):
                member.write(zeros)
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def files_under(root) -> list[Path]:
    root = Path(root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class OpeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opening

    department = factory.SubFactory(DepartmentFactory)
    title_de = factory.Sequence(lambda n: f"Sachbearbeiter/in {n}")
    title_en = factory.Sequence(lambda n: f"Clerk {n}")
    description_de = "Wir suchen Verstärkung."
    description_en = "We are looking for help."
    location = "Berlin"
    status = Opening.Status.OPEN


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    opening = factory.SubFactory(OpeningFactory)
    name = factory.Sequence(lambda n: f"Bewerber {n}")
    email = factory.Sequence(lambda n: f"bewerber{n}@example.org")
    language = "de"
    resume_name = "Lebenslauf.pdf"
    resume_content_type = PDF_TYPE
    resume_size = len(PDF)
    client_hash = "test"

    @factory.post_generation
    def with_file(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.resume.save("resume", ContentFile(PDF), save=True)


def rejected(application: Application, *, days_ago: int, consent_months=None) -> Application:
    application.stage = Application.Stage.REJECTED
    application.rejected_at = timezone.now() - timedelta(days=days_ago)
    application.consent_months = consent_months
    application.save(update_fields=["stage", "rejected_at", "consent_months"])
    return application


__all__ = ["DOCX_TYPE", "PDF_TYPE"]
