"""The org chart (issue #8, item 7): departments as a tree with their heads and headcounts,
people of a department grouped under their managers, a search by name; open to every logged-in
user, showing names, positions and departments only; the same number of queries at any size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import roles
from hr.models import Employee
from tests.hr.factories import DepartmentFactory, EmployeeFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    board = DepartmentFactory(code="GF", name="Geschäftsführung")
    sales = DepartmentFactory(code="VERT", name="Vertrieb", parent=board)
    ceo = EmployeeFactory(department=board, first_name="Greta", last_name="Chef")
    head = EmployeeFactory(department=sales, first_name="Hans", last_name="Haupt", manager=ceo)
    lead = EmployeeFactory(
        department=sales,
        first_name="Lea",
        last_name="Leitner",
        manager=head,
        position=PositionFactory(department=sales, title="Teamleitung"),
    )
    worker = EmployeeFactory(department=sales, first_name="Willi", last_name="Werner", manager=lead)
    EmployeeFactory(
        department=sales,
        first_name="Tom",
        last_name="Gone",
        status="terminated",
        termination_date="2024-01-01",
    )
    board.head, sales.head = ceo, head
    board.save()
    sales.save()
    return {"board": board, "sales": sales, "head": head, "lead": lead, "worker": worker}


def test_staff_see_the_department_tree_with_heads_and_counts(client, make_user, company):
    client.force_login(make_user(roles.STAFF))
    response = client.get(reverse("hr:org_chart"))
    assert response.status_code == 200
    rows = response.context["departments"]
    by_code = {row.department.code: row for row in rows}
    # The child under its parent, one level deeper; terminated people are not counted.
    codes = [row.department.code for row in rows]
    assert codes[codes.index("GF") + 1] == "VERT"
    assert by_code["VERT"].depth == by_code["GF"].depth + 1
    assert by_code["VERT"].people == 3
    assert "Hans" in response.content.decode()


def test_department_people_are_grouped_under_their_managers(client, make_user, company):
    client.force_login(make_user(roles.STAFF))
    response = client.get(reverse("hr:org_department", kwargs={"pk": company["sales"].pk}))
    people = [(row.employee.last_name, row.depth) for row in response.context["people"]]
    assert people == [("Haupt", 0), ("Leitner", 1), ("Werner", 2)]
    html = response.content.decode()
    assert "Teamleitung" in html
    assert "Gone" not in html
    # Only what a colleague may know: no personnel number, email or hire date.
    assert company["worker"].personnel_number not in html
    assert company["worker"].work_email not in html


def test_a_large_department_is_shown_a_page_at_a_time(client, make_user, company, monkeypatch):
    """The tree keeps its order across pages; the page says how many people there are."""
    from hr.views import lifecycle as views

    monkeypatch.setattr(views, "ORG_PAGE_SIZE", 2)
    client.force_login(make_user(roles.STAFF))
    url = reverse("hr:org_department", kwargs={"pk": company["sales"].pk})
    first = client.get(url)
    assert [row.employee.last_name for row in first.context["people"]] == ["Haupt", "Leitner"]
    assert first.context["total"] == 3 and first.context["has_next"]
    assert "3 people" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [row.employee.last_name for row in second.context["people"]] == ["Werner"]
    assert not second.context["has_next"] and second.context["has_previous"]


def test_search_finds_people_by_name(client, make_user, company):
    client.force_login(make_user(roles.STAFF))
    response = client.get(reverse("hr:org_chart"), {"q": "leit"})
    assert [e.last_name for e in response.context["found"]] == ["Leitner"]
    response = client.get(reverse("hr:org_chart"), {"q": "willi werner"})
    assert [e.last_name for e in response.context["found"]] == ["Werner"]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("hr:org_chart"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _count(client, url, params=None):
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(company, n):
    departments = [company["sales"]] + [
        DepartmentFactory(parent=company["board"]) for _ in range(4)
    ]
    managers = [company["lead"]]
    for i in range(n):
        dept = departments[i % len(departments)]
        e = EmployeeFactory(
            department=dept,
            last_name=f"Leit{i}",
            manager=managers[i % len(managers)],
            position=PositionFactory(department=dept),
        )
        if i % 5 == 0:
            managers.append(e)


def test_org_pages_keep_their_query_count_as_the_company_grows(client, make_user, company):
    """Tree, search and a department's people cost as many queries with 60 more people in five
    more departments (managers in other departments among them) as without."""
    client.force_login(make_user(roles.STAFF))
    urls = [
        (reverse("hr:org_chart"), None),
        (reverse("hr:org_chart"), {"q": "leit"}),
        (reverse("hr:org_department", kwargs={"pk": company["sales"].pk}), None),
    ]
    small = [_count(client, url, params) for url, params in urls]
    _grow(company, 60)
    assert Employee.objects.count() > 60
    large = [_count(client, url, params) for url, params in urls]
    assert large == small


@pytest.mark.parametrize("page", ["tree", "department"])
def test_org_pages_indent_by_stylesheet_not_by_inline_style(client, make_user, company, page):
    """The CSP (style-src 'self') blocks inline style attributes: the tree used to render flat.
    Each depth on the page has its rule in the stylesheet."""
    from django.contrib.staticfiles import finders

    client.force_login(make_user(roles.STAFF))
    if page == "tree":
        url = reverse("hr:org_chart")
    else:
        url = reverse("hr:org_department", kwargs={"pk": company["sales"].pk})
    html = client.get(url).content.decode()
    assert "style=" not in html.split("<main", 1)[-1]
    depths = set(re.findall(r'<li data-depth="(\d+)"', html))
    assert "1" in depths
    with open(finders.find("css/backoffice.css"), encoding="utf-8") as css:
        stylesheet = css.read()
    for depth in depths - {"0"}:
        assert f'li[data-depth="{depth}"]' in stylesheet
