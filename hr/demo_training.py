"""Demo data for training and discipline: courses (IT's included), the trainings each position
requires, past e-learning sessions with completions (some expired, some expiring within 30
days, some never done), upcoming classroom sessions with enrolments, and a few disciplinary
records (one for the ``staff`` login to acknowledge).

Idempotent: courses, requirements and sessions are looked up by their natural keys; an
employee who already has an enrolment of a course gets no other; discipline is seeded once.
Bulk inserts throughout, so ``seed_demo --employees 10000`` stays quick.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hr.models import (
    Course,
    DisciplinaryRecord,
    Employee,
    Enrolment,
    Position,
    RequiredTraining,
    TrainingSession,
)
from hr.services.training import months_added

COURSES = [
    # title, category, provider, validity months
    ("Arbeitsschutz-Unterweisung", Course.Category.SAFETY, "BG ETEM", 12),
    ("Erste Hilfe", Course.Category.FIRST_AID, "DRK Kreisverband", 24),
    ("Datenschutz (DSGVO)", Course.Category.DATA_PROTECTION, "Datenschutzbeauftragte/r", 12),
    ("Neues ERP-System: Einführung", Course.Category.IT, "IT-Service", None),
    ("Notebook und Mehr-Faktor-Anmeldung", Course.Category.IT, "IT-Service", None),
    ("Führung und Arbeitsrecht", Course.Category.LEADERSHIP, "IHK Akademie", 36),
]
# Which positions require which courses (position titles from hr.demo).
EVERYONE = ["Datenschutz (DSGVO)"]
BY_POSITION = {
    "Maschinenführer/in": ["Arbeitsschutz-Unterweisung"],
    "Schichtleiter/in": ["Arbeitsschutz-Unterweisung", "Erste Hilfe", "Führung und Arbeitsrecht"],
    "Mechatroniker/in": ["Arbeitsschutz-Unterweisung"],
    "Lagerist/in": ["Arbeitsschutz-Unterweisung"],
    "Büroleitung": ["Erste Hilfe", "Führung und Arbeitsrecht"],
    "Empfang": ["Erste Hilfe"],
    "Buchhalter/in": ["Neues ERP-System: Einführung"],
    "Bilanzbuchhalter/in": ["Neues ERP-System: Einführung"],
    "Controller/in": ["Neues ERP-System: Einführung"],
}
DISCIPLINE = [
    (
        DisciplinaryRecord.Kind.VERBAL,
        "Wiederholte Verspätung",
        "Dreimal in zwei Wochen nach 9 Uhr.",
    ),
    (DisciplinaryRecord.Kind.WRITTEN, "Unentschuldigtes Fehlen", "Am Montag ohne Meldung gefehlt."),
    (DisciplinaryRecord.Kind.FINAL, "Verstoß gegen Arbeitsschutz", "Schutzbrille nicht getragen."),
    (DisciplinaryRecord.Kind.VERBAL, "Private Nutzung des Firmenwagens", ""),
    (DisciplinaryRecord.Kind.WRITTEN, "Datenschutzverstoß", "Kundendaten per privater Mail."),
]


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def seed_training(*, employees: int = 200, stdout=None) -> list[str]:
    rnd = random.Random(2027)
    today = timezone.localdate()
    courses = {}
    for title, category, provider, validity in COURSES:
        course, _created = Course.objects.get_or_create(
            title=title,
            defaults={"category": category, "provider": provider, "validity_months": validity},
        )
        courses[title] = course

    positions = list(Position.objects.all())
    RequiredTraining.objects.bulk_create(
        [
            RequiredTraining(position=p, course=courses[title])
            for p in positions
            for title in EVERYONE + BY_POSITION.get(p.title, [])
        ],
        ignore_conflicts=True,
    )

    sessions = _sessions(courses, today)
    enrolled = _completions(courses, sessions, rnd, today)
    upcoming = _upcoming(courses, rnd, today)
    records = _discipline(rnd, today)
    return [
        f"Training: {len(courses)} courses, {enrolled} completions, {upcoming} upcoming "
        f"enrolments; {records} disciplinary records."
    ]


def _month_start(today: datetime.date, months_back: int) -> datetime.date:
    first = today.replace(day=1)
    return months_added(first, -months_back)


def _sessions(courses, today) -> dict[tuple[int, datetime.date], TrainingSession]:
    """One past e-learning session per course and month for the last 30 months."""
    wanted = {
        (course.pk, _month_start(today, back))
        for course in courses.values()
        for back in range(1, 31)
    }
    existing = {
        (s.course_id, timezone.localtime(s.starts_at).date()): s
        for s in TrainingSession.objects.filter(location="E-Learning")
    }
    TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                course_id=course_id,
                starts_at=_aware(day, 9),
                ends_at=_aware(day, 12),
                location="E-Learning",
                trainer="Online",
                capacity=100_000,
            )
            for course_id, day in sorted(wanted - existing.keys())
        ]
    )
    return {
        (s.course_id, timezone.localtime(s.starts_at).date()): s
        for s in TrainingSession.objects.filter(location="E-Learning")
    }


def _completions(courses, sessions, rnd: random.Random, today) -> int:
    """Most employees completed their required courses; about one in eight never did, and
    the certificate dates spread so that some have expired and some expire within 30 days."""
    done = set(Enrolment.objects.values_list("employee_id", "course_id"))
    by_id = {c.pk: c for c in courses.values()}
    required = RequiredTraining.objects.values_list("position_id", "course_id")
    per_position: dict[int, list[int]] = {}
    for position_id, course_id in required:
        per_position.setdefault(position_id, []).append(course_id)
    rows = []
    people = (
        Employee.objects.exclude(status=Employee.Status.TERMINATED)
        .filter(position__isnull=False)
        .order_by("pk")
        .values_list("pk", "position_id")
    )
    for employee_id, position_id in people.iterator(chunk_size=2000):
        for course_id in sorted(per_position.get(position_id, [])):
            course = by_id[course_id]
            validity = course.validity_months or 12
            # Draw every value even for pairs done already, so each pair gets the same values
            # on every run. Mostly current; the tail spills past expiry (overdue) or close to
            # it (expiring).
            draw = rnd.random()
            age_days = int(rnd.triangular(10, validity * 31 + 60, validity * 20))
            if (employee_id, course_id) in done or draw < 0.12:
                continue
            certificate = today - datetime.timedelta(days=age_days)
            month = certificate.replace(day=1)
            session = sessions.get((course_id, month)) or sessions.get(
                (course_id, _month_start(today, 1))
            )
            if session is None:
                continue
            rows.append(
                Enrolment(
                    employee_id=employee_id,
                    session=session,
                    course_id=course_id,
                    status=Enrolment.Status.COMPLETED,
                    certificate_date=certificate,
                    expires_on=months_added(certificate, course.validity_months)
                    if course.validity_months
                    else None,
                )
            )
    Enrolment.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _upcoming(courses, rnd: random.Random, today) -> int:
    """Two classroom sessions in the coming weeks per course, a few people enrolled."""
    created = 0
    for index, course in enumerate(courses.values()):
        for week in (2, 5):
            day = today + datetime.timedelta(days=7 * week + index)
            location = f"Schulungsraum {week}"
            session = TrainingSession.objects.filter(course=course, location=location).first()
            if session is None:
                session = TrainingSession.objects.create(
                    course=course,
                    starts_at=_aware(day, 9),
                    ends_at=_aware(day, 16),
                    location=location,
                    trainer="Frau Demir" if week == 2 else "Herr Kowalski",
                    capacity=12,
                )
            if session.enrolments.exists():
                continue
            people = list(
                Employee.objects.exclude(status=Employee.Status.TERMINATED)
                .order_by("?")
                .values_list("pk", flat=True)[:8]
            )
            Enrolment.objects.bulk_create(
                [Enrolment(employee_id=pk, session=session, course=course) for pk in people],
                ignore_conflicts=True,
            )
            created += len(people)
    return created


def _discipline(rnd: random.Random, today) -> int:
    if DisciplinaryRecord.objects.exists():
        return 0
    user_model = get_user_model()
    issuer = user_model.objects.filter(username="hrmanager").first()
    if issuer is None:
        return 0
    candidates = list(
        Employee.objects.exclude(status=Employee.Status.TERMINATED)
        .filter(user__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    staff = Employee.objects.filter(user__username="staff").values_list("pk", flat=True).first()
    targets = ([staff] if staff else []) + rnd.sample(candidates, min(len(candidates), 6))
    rows = []
    for n, employee_id in enumerate(targets):
        kind, reason, description = DISCIPLINE[n % len(DISCIPLINE)]
        rows.append(
            DisciplinaryRecord(
                employee_id=employee_id,
                kind=kind,
                date=today - datetime.timedelta(days=rnd.randint(3, 200)),
                reason=reason,
                description=description,
                issued_by=issuer,
                acknowledged_at=None if n == 0 or n % 2 else timezone.now(),
            )
        )
    DisciplinaryRecord.objects.bulk_create(rows)
    return len(rows)
