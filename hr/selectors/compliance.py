"""Reads for the compliance dashboard: the registered checks' counts and first items.

Counting every check at 10,000 employees costs a few hundred milliseconds of queries (the
weekly-hours and training checks aggregate over weeks of rows). Compliance does not move by
the second: the summary is kept in the cache for ``HR_COMPLIANCE_CACHE_SECONDS`` per day and
language, and the page says when it was counted. The page of one check always counts afresh.
"""

from __future__ import annotations

import datetime
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from hr.registry import ComplianceCheck, ComplianceItem, compliance_checks


def compliance_count(check: ComplianceCheck, today: datetime.date) -> int:
    if check.count is not None:
        return check.count(today)
    return sum(1 for _item in check.run(today))


def compliance_summary(*, today: datetime.date, items: int, fresh: bool = False) -> dict:
    """``{"counted_at": datetime, "rows": [{"code", "count", "items"}]}`` for every
    registered check, in registry order."""
    key = f"hr:compliance:{today.isoformat()}:{translation.get_language()}:{items}"
    summary = None if fresh else cache.get(key)
    if summary is None:
        rows = []
        for check in compliance_checks():
            count = compliance_count(check, today)
            found: list[ComplianceItem] = list(islice(check.run(today), items)) if count else []
            rows.append({"code": check.code, "count": count, "items": found})
        summary = {"counted_at": timezone.now(), "rows": rows}
        cache.set(key, summary, settings.HR_COMPLIANCE_CACHE_SECONDS)
    return summary
