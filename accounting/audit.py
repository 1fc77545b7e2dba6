"""The registry of audit checks, and the run that turns what they find into findings.

Each app registers its checks in ``AppConfig.ready()`` with ``register_check``; accounting
registers its own in ``accounting.audit_checks``. A higher app (payroll, say) registers checks
of its own the same way, so accounting never imports it. A check is a function that reads and
yields ``AuditFinding``; it writes nothing. ``audit_run`` runs every check and writes a
``Finding`` for each one not raised before: the unique (check, key) constraint makes a second
run, or a second delivery of the nightly task, add nothing; it updates the finding's
``last_seen_at`` instead.

System postings (the demo seeder's, a payroll run's) are posted by the software, not by a
person at a desk: apps name their sources' prefixes with ``register_system_source`` so checks
about how people post (after hours) leave them out, and checks about amounts people chose
(round amounts) leave out the computed ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounting.models import Finding
from backoffice.stored_text import StoredText, stored_source

logger = logging.getLogger(__name__)

Severity = Finding.Severity
# pg_advisory_xact_lock key of the audit run ("AUDIT" in ASCII, as an integer).
AUDIT_LOCK = 0x4155444954
KEY_BATCH = 1000


@dataclass(frozen=True)
class AuditFinding:
    """One irregularity a check found. ``key`` names the evidence (``entry:42``,
    ``payment:7``) so the same irregularity is raised once, however often the check runs.
    ``title`` is best a ``StoredText`` (backoffice.stored_text): each reader then sees it in
    their language."""

    key: str
    title: str | StoredText
    severity: str
    evidence_url: str = ""


@dataclass(frozen=True)
class AuditCheck:
    code: str
    title: Any  # a lazy translation
    run: Callable[[], Iterable[AuditFinding]]


@dataclass
class AuditRunResult:
    new: int = 0
    found: int = 0
    failed: list[str] = field(default_factory=list)


_checks: dict[str, AuditCheck] = {}
# Source prefix -> whether the amounts of such entries are computed (not chosen by a person).
_system_sources: dict[str, bool] = {}


def register_system_source(prefix: str, *, computed_amounts: bool = False) -> None:
    """Entries whose ``source`` starts with ``prefix`` are posted by the software (a seeder,
    a payroll run): their posting time says nothing about anyone's working hours. With
    ``computed_amounts`` their amounts are sums the software computed, not amounts a person
    chose."""
    _system_sources[prefix] = computed_amounts


def system_source_prefixes(*, computed_amounts: bool = False) -> list[str]:
    """The registered prefixes (only those with computed amounts, when asked)."""
    return sorted(p for p, computed in _system_sources.items() if computed or not computed_amounts)


def register_check(code: str, title, run: Callable[[], Iterable[AuditFinding]]) -> None:
    """Register (or replace) the check ``code``. ``run()`` yields ``AuditFinding``s."""
    if len(code) > Finding._meta.get_field("check_code").max_length:
        raise ValueError(f"audit check code too long: {code!r}")
    _checks[code] = AuditCheck(code=code, title=title, run=run)


def registered_checks() -> list[AuditCheck]:
    return sorted(_checks.values(), key=lambda c: c.code)


def check_titles() -> dict[str, Any]:
    return {c.code: c.title for c in registered_checks()}


def audit_run(*, codes: Iterable[str] | None = None) -> AuditRunResult:
    """Run the registered checks (all, or those named) and record new findings.

    A check that fails is logged and named in the result; the others still run. Returns how
    many findings are new. Idempotent: findings already recorded are not written again.
    """
    wanted = set(codes) if codes is not None else None
    result = AuditRunResult()
    for check in registered_checks():
        if wanted is not None and check.code not in wanted:
            continue
        try:
            found = _unique(check.run())
        except Exception:
            logger.exception("audit check %s failed", check.code)
            result.failed.append(check.code)
            continue
        result.found += len(found)
        result.new += _record(check.code, found)
    return result


def _unique(findings: Iterable[AuditFinding]) -> list[tuple[str, AuditFinding]]:
    seen: dict[str, AuditFinding] = {}
    for finding in findings:
        seen.setdefault(finding.key[:200], finding)
    return list(seen.items())


def _record(code: str, findings: list[tuple[str, AuditFinding]]) -> int:
    """Write the findings not recorded yet and mark the known ones seen again; return how
    many were new. The advisory lock makes two runs at the same moment count each new finding
    once; the unique (check, key) constraint backs it (INSERT ... ON CONFLICT DO UPDATE)."""
    new = 0
    now = timezone.now()
    for start in range(0, len(findings), KEY_BATCH):
        batch = findings[start : start + KEY_BATCH]
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK])
            known = set(
                Finding.objects.filter(
                    check_code=code, key__in=[key for key, _f in batch]
                ).values_list("key", flat=True)
            )
            rows = [
                Finding(
                    check_code=code,
                    key=key,
                    title=str(f.title)[:300],
                    title_source=stored_source(f.title),
                    severity=f.severity,
                    evidence_url=f.evidence_url[:500],
                    last_seen_at=now,
                )
                for key, f in batch
            ]
            Finding.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["check_code", "key"],
                update_fields=["last_seen_at"],
            )
            new += sum(1 for key, _f in batch if key not in known)
    return new


def iter_rows(sql: str, params: Iterable = ()) -> Iterator[tuple]:
    """Rows of a read-only query, fetched in batches (for checks written in SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(KEY_BATCH):
            yield from rows
