"""Registries that ``hr`` offers and higher apps fill in their ``AppConfig.ready()``.

``hr`` never imports payroll, accounting, IT or inventory; they tell ``hr`` what they need:

- **Checklist items** for onboarding and offboarding (payroll: a pay profile; IT: a laptop and
  accounts; inventory: keys). A hire or a termination copies the registered items that apply
  into the employee's checklist.
- **Compliance checks** for the HR director's dashboard (payroll: working time and minimum
  wage; hr: trainings, probation, fixed-term contracts, expiring vacation, missing tax data).
  A check returns the items it finds; the dashboard shows counts per check and links each item
  to its record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ONBOARDING = "onboarding"
OFFBOARDING = "offboarding"


@dataclass(frozen=True)
class ChecklistItemSpec:
    """One item every new (or leaving) employee's checklist gets.

    ``key`` is stable and unique (``"payroll.pay_profile"``); ``title`` a lazy translation;
    ``owner`` names who does it (a role name from ``backoffice.roles``); ``applies`` may leave
    the item out for some employees; ``done`` (optional) tells whether the work is done already
    (a pay profile exists, say), so the checklist can tick it on its own."""

    key: str
    kind: str  # ONBOARDING or OFFBOARDING
    title: Any
    owner: str
    order: int = 100
    applies: Callable[[Any], bool] | None = None
    done: Callable[[Any], bool] | None = None
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class ComplianceItem:
    """One finding of a compliance check: whom or what it concerns, in words, with a link."""

    text: str
    url: str = ""
    employee_id: int | None = None
    severity: str = "warning"  # "warning" or "violation"


@dataclass(frozen=True)
class ComplianceCheck:
    """``run(today)`` returns the current items; ``count(today)`` (optional) counts them in one
    query for the dashboard's chart without building every item."""

    code: str
    title: Any
    run: Callable[..., Iterable[ComplianceItem]]
    count: Callable[..., int] | None = None
    order: int = 100


_checklist_items: dict[str, ChecklistItemSpec] = {}
_compliance_checks: dict[str, ComplianceCheck] = {}


def checklist_item_register(spec: ChecklistItemSpec) -> None:
    if spec.kind not in (ONBOARDING, OFFBOARDING):
        raise ValueError(f"unknown checklist kind: {spec.kind}")
    _checklist_items[spec.key] = spec


def checklist_items(kind: str) -> list[ChecklistItemSpec]:
    return sorted(
        (s for s in _checklist_items.values() if s.kind == kind), key=lambda s: (s.order, s.key)
    )


def compliance_check_register(check: ComplianceCheck) -> None:
    _compliance_checks[check.code] = check


def compliance_checks() -> list[ComplianceCheck]:
    return sorted(_compliance_checks.values(), key=lambda c: (c.order, c.code))
