"""Demo data of recruiting (issue #10): openings in several departments and about fifty
applicants across the stages, each with a small PDF resume.

The resume is rendered with WeasyPrint once per seed (a URL fetcher that fetches nothing) and
stored for each applicant under a random name, as uploads are. Idempotent: openings are looked
up by their German title; applicants are seeded only while the demo openings have none.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hr.models import Application, Department, Opening
from hr.recruiting_resumes import PDF_TYPE

OPENINGS = [
    # department code, German title, English title, location, hours, salary range
    (
        "VERT",
        "Vertriebsmitarbeiter/in Innendienst",
        "Inside sales representative",
        "Berlin",
        Decimal("40"),
        (Decimal("42000"), Decimal("52000")),
    ),
    (
        "IT",
        "Systemadministrator/in Linux",
        "Linux system administrator",
        "Berlin",
        Decimal("40"),
        (Decimal("55000"), Decimal("68000")),
    ),
    (
        "PROD",
        "Mechatroniker/in (Schicht)",
        "Mechatronics technician (shifts)",
        "Brandenburg",
        Decimal("38.5"),
        None,
    ),
    (
        "FIBU",
        "Bilanzbuchhalter/in",
        "Certified accountant",
        "Berlin",
        Decimal("30"),
        (Decimal("50000"), Decimal("60000")),
    ),
    ("EINK", "Lagerist/in", "Warehouse clerk", "Brandenburg", Decimal("40"), None),
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "Deniz",
    "Emil",
    "Fatma",
    "Greta",
    "Hannes",
    "Ilse",
    "Jonas",
    "Karla",
    "Luca",
    "Mira",
    "Noah",
    "Olga",
    "Paul",
    "Rosa",
    "Sami",
    "Tilda",
    "Yusuf",
]
LAST = [
    "Becker",
    "Yilmaz",
    "Schulz",
    "Nowak",
    "Hoffmann",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
]
STAGES = [
    Application.Stage.NEW,
    Application.Stage.NEW,
    Application.Stage.SCREENING,
    Application.Stage.INTERVIEW,
    Application.Stage.OFFER,
    Application.Stage.REJECTED,
]
APPLICANTS = 50

RESUME_HTML = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><style>
body { font-family: sans-serif; font-size: 11pt; } h1 { font-size: 16pt; }
</style></head><body><h1>Lebenslauf</h1><p>Beispielbewerbung (Demodaten).</p>
<h2>Berufserfahrung</h2><ul><li>2019–2025: Sachbearbeitung, Musterfirma GmbH</li>
<li>2016–2019: Ausbildung</li></ul><h2>Sprachen</h2><p>Deutsch, Englisch</p></body></html>"""


def _demo_resume_pdf() -> bytes:
    from weasyprint import HTML

    def fetch_nothing(url, *args, **kwargs):
        raise ValueError(f"the demo resume fetches nothing ({url})")

    return HTML(string=RESUME_HTML, url_fetcher=fetch_nothing).write_pdf()


def seed_recruiting(*, employees: int = 200, stdout=None) -> list[str]:
    rnd = random.Random(2610)
    recruiter = get_user_model().objects.filter(username="recruiter").first()
    departments = {d.code: d for d in Department.objects.filter(code__in=[o[0] for o in OPENINGS])}
    openings = []
    for code, title_de, title_en, location, hours, salary in OPENINGS:
        department = departments.get(code)
        if department is None:
            continue
        opening, _created = Opening.objects.get_or_create(
            title_de=title_de,
            defaults={
                "department": department,
                "title_en": title_en,
                "description_de": f"Wir suchen Verstärkung: {title_de} in {location}.\n"
                "Wir bieten ein gutes Team, flexible Arbeitszeiten und 30 Tage Urlaub.",
                "description_en": f"We are looking for a {title_en} in {location}.\n"
                "We offer a good team, flexible hours and 30 days of vacation.",
                "location": location,
                "hours_per_week": hours,
                "salary_min": salary[0] if salary else None,
                "salary_max": salary[1] if salary else None,
                "status": Opening.Status.OPEN,
                "recruiter": recruiter,
            },
        )
        openings.append(opening)
    if not openings or Application.objects.filter(opening__in=openings).exists():
        return [f"recruiting: {len(openings)} openings (applicants already seeded)"]
    pdf = _demo_resume_pdf()
    now = timezone.now()
    with transaction.atomic():
        for number in range(APPLICANTS):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            submitted = now - timedelta(days=rnd.randint(0, 90), minutes=rnd.randint(0, 600))
            stage = rnd.choice(STAGES)
            application = Application(
                opening=openings[number % len(openings)],
                name=f"{first} {last}",
                email=f"{first}.{last}.{number}@bewerbung.example".lower(),
                phone=f"+49 30 {rnd.randint(1000000, 9999999)}",
                cover_letter="Sehr geehrte Damen und Herren,\n\nhiermit bewerbe ich mich ...",
                language=rnd.choice(["de", "de", "en"]),
                consent_months=24 if rnd.random() < 0.3 else None,
                submitted_at=submitted,
                stage=stage,
                stage_changed_at=submitted + timedelta(days=1),
                rejected_at=submitted + timedelta(days=2)
                if stage == Application.Stage.REJECTED
                else None,
                rating=rnd.randint(1, 5) if stage != Application.Stage.NEW else None,
                resume_name=f"Lebenslauf_{last}.pdf",
                resume_content_type=PDF_TYPE,
                resume_size=len(pdf),
                client_hash="demo",
                confirmation_sent_at=submitted,
            )
            application.resume.save("resume", ContentFile(pdf), save=False)
            application.save()
    return [f"recruiting: {len(openings)} openings, {APPLICANTS} applicants with PDF resumes"]
