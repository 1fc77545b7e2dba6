"""Reads of the lifecycle: who may hire, transfer and terminate whom; checklists and who may
see and tick them; transfer history; the org chart.

HR managers (``hr.manage_employment``) act in every department, a department head in the
departments they head. A checklist is also open to the roles that own one of its items
(payroll clerks for the pay profile, the helpdesk for the laptop); they tick their own items.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from backoffice.roles import DEPARTMENT_HEAD, user_roles
from hr.models import Checklist, ChecklistItem, Department, Employee, EmploymentChange
from hr.selectors import employee_visible_to

MANAGE_PERMISSION = "hr.manage_employment"
ORG_SEARCH_LIMIT = 50


def _owner_roles(user) -> list[str]:
    """The roles through which a user works on items of anybody's checklist. Items of the
    department head are for the head of the employee's department, who manages them anyway;
    heads of other departments get nothing through the role."""
    return sorted(user_roles(user) - {DEPARTMENT_HEAD})


def _manages_all(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(MANAGE_PERMISSION)


def employment_departments_for(*, user) -> QuerySet[Department]:
    """The departments in which the user may hire, transfer and terminate."""
    if not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    if _manages_all(user):
        return Department.objects.all()
    return Department.objects.filter(head__user=user)


def employment_may_hire(*, user) -> bool:
    return _manages_all(user) or employment_departments_for(user=user).exists()


def employment_may_manage(*, user, employee: Employee) -> bool:
    """HR managers, and the head of the employee's (current) department, but nobody for
    themselves (another person transfers or terminates one's own employment)."""
    if employee.user_id is not None and employee.user_id == user.pk:
        return False  # nobody transfers or terminates their own employment, HR included
    if _manages_all(user):
        return True
    return Department.objects.filter(pk=employee.department_id, head__user=user).exists()


def employee_for_lifecycle(*, user, pk: int) -> Employee | None:
    """The employee if the user may see them at all (else: not found)."""
    return (
        employee_visible_to(user=user)
        .select_related("department", "position", "manager", "user")
        .filter(pk=pk)
        .first()
    )


def employment_changes_of(*, employee: Employee) -> QuerySet[EmploymentChange]:
    return employee.employment_changes.select_related(
        "old_department",
        "new_department",
        "old_position",
        "new_position",
        "old_manager",
        "new_manager",
        "created_by",
    ).order_by("-valid_from", "-pk")


# --- Checklists ---------------------------------------------------------------------------------


def checklist_detail(*, user, pk: int) -> Checklist | None:
    """The checklist if the user may see it: they manage the employee, or they hold a role that
    owns one of its items. Otherwise not found."""
    checklist = (
        Checklist.objects.select_related(
            "employee__department", "employee__position", "employee__termination"
        )
        .filter(pk=pk)
        .first()
    )
    if checklist is None or not getattr(user, "is_authenticated", False):
        return None
    if employment_may_manage(user=user, employee=checklist.employee):
        return checklist
    if checklist.items.filter(owner__in=_owner_roles(user)).exists():
        return checklist
    return None


def checklist_items_of(*, checklist: Checklist) -> list[ChecklistItem]:
    return list(checklist.items.select_related("done_by").order_by("order", "key"))


def checklist_item_may_tick(*, user, item: ChecklistItem, manages: bool) -> bool:
    """Whoever manages the employee ticks any item; the others only their roles' items."""
    return manages or item.owner in _owner_roles(user)


def checklist_item_for(*, user, checklist_pk: int, item_pk: int) -> tuple[ChecklistItem, bool]:
    """(item, may tick) — item None when the user may not see the checklist."""
    checklist = checklist_detail(user=user, pk=checklist_pk)
    if checklist is None:
        return None, False
    item = checklist.items.filter(pk=item_pk).first()
    if item is None:
        return None, False
    manages = employment_may_manage(user=user, employee=checklist.employee)
    return item, checklist_item_may_tick(user=user, item=item, manages=manages)


def checklists_open_for(*, user) -> QuerySet[Checklist]:
    """Open checklists the user works on: all for HR managers, their departments' for heads,
    and those with an open item that one of the user's roles owns."""
    qs = Checklist.objects.filter(completed_at__isnull=True)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if not _manages_all(user):
        owned = ChecklistItem.objects.filter(
            checklist=OuterRef("pk"), done_at__isnull=True, owner__in=_owner_roles(user)
        )
        qs = qs.filter(Q(employee__department__head__user=user) | Exists(owned))
    return qs.select_related("employee__department").annotate(
        items_total=Count("items"),
        items_done=Count("items", filter=Q(items__done_at__isnull=False)),
    )


def checklist_may_list(*, user) -> bool:
    """Who gets the checklists page: those who hire, and the roles that own checklist items."""
    from hr.registry import OFFBOARDING, ONBOARDING, checklist_items

    if employment_may_hire(user=user):
        return True
    owners = {spec.owner for kind in (ONBOARDING, OFFBOARDING) for spec in checklist_items(kind)}
    return bool(owners & set(_owner_roles(user)))


# --- Org chart ----------------------------------------------------------------------------------


@dataclass
class OrgDepartment:
    department: Department
    depth: int
    people: int


def org_departments() -> list[OrgDepartment]:
    """Every department as a tree (parents first, depth-first by code), each with its head and
    the number of its current employees. One query, whatever the number of employees."""
    departments = list(
        Department.objects.select_related("head__position")
        .annotate(
            people=Count("employees", filter=~Q(employees__status=Employee.Status.TERMINATED))
        )
        .order_by("code")
    )
    children: dict[int | None, list[Department]] = {}
    known = {d.pk for d in departments}
    for d in departments:
        parent = d.parent_id if d.parent_id in known else None
        children.setdefault(parent, []).append(d)
    out: list[OrgDepartment] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for d in children.get(parent, []):
            if d.pk in seen:
                continue
            seen.add(d.pk)
            out.append(OrgDepartment(d, depth, d.people))
            walk(d.pk, depth + 1)

    walk(None, 0)
    # A cycle of parents (which the form should prevent) would hide departments: show them flat.
    out.extend(OrgDepartment(d, 0, d.people) for d in departments if d.pk not in seen)
    return out


def _org_people() -> QuerySet[Employee]:
    return (
        Employee.objects.exclude(status=Employee.Status.TERMINATED)
        .select_related("department", "position")
        .only(
            "first_name",
            "last_name",
            "manager_id",
            "department__code",
            "department__name",
            "position__title",
        )
    )


def org_search(*, search: str) -> list[Employee]:
    """Current employees whose name matches, at most ``ORG_SEARCH_LIMIT``."""
    qs = _org_people()
    for word in search.split()[:4]:
        qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(qs.order_by("last_name", "first_name", "pk")[:ORG_SEARCH_LIMIT])


@dataclass
class OrgPerson:
    employee: Employee
    depth: int
    manager_elsewhere: Employee | None  # a manager outside this department


def org_department_people(*, department: Department) -> list[OrgPerson]:
    """The department's current people grouped under their managers: the head first, then
    everyone whose manager is not in the department, each followed by their reports (depth-
    first). Two queries."""
    people = list(_org_people().filter(department=department).order_by("last_name", "first_name"))
    by_pk = {p.pk: p for p in people}
    outside_ids = {p.manager_id for p in people if p.manager_id and p.manager_id not in by_pk}
    outside = {e.pk: e for e in _org_people().filter(pk__in=outside_ids)} if outside_ids else {}
    reports: dict[int | None, list[Employee]] = {}
    for p in people:
        reports.setdefault(p.manager_id if p.manager_id in by_pk else None, []).append(p)
    roots = reports.get(None, [])
    roots.sort(key=lambda p: (p.pk != department.head_id, p.last_name, p.first_name))
    out: list[OrgPerson] = []
    seen: set[int] = set()

    def walk(person: Employee, depth: int) -> None:
        seen.add(person.pk)
        manager = outside.get(person.manager_id) if depth == 0 else None
        out.append(OrgPerson(person, depth, manager))
        for r in reports.get(person.pk, []):
            if r.pk not in seen:
                walk(r, depth + 1)

    for root in roots:
        walk(root, 0)
    # People in a cycle of managers have no root: list them at the top level.
    for p in people:
        if p.pk not in seen:
            walk(p, 0)
    return out
