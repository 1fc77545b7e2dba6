"""What ``test_post_views_committed`` checks: every URL of the project that accepts POST (and
every custom admin action) against the tests that run without pytest-django's wrapping
transaction.

Inside that transaction ``select_for_update()`` without ``atomic`` does not fail and
``on_commit`` hooks never fire, so a view whose service forgot ``@transaction.atomic`` passes
and answers 500 in production (issue #7, item 1). Only a test with
``django_db(transaction=True)``, the ``transactional_db`` fixture or the live server sees that.

Two halves:

- ``post_targets()`` walks the URL resolver and the admin registry: each URL name whose view
  accepts POST (not restricted to GET/HEAD by ``require_http_methods`` and its shorthands; a
  class-based view with ``post`` in ``http_method_names`` and a ``post`` method), without the
  admin site's generic URLs (add, change, delete, ... of every model) but with every URL a
  ``ModelAdmin.get_urls`` adds, and each custom admin action as
  ``admin:<app>_<model>:<action>``.
- ``committed_tests()`` reads the test files (``ast``, nothing is imported) and collects, per
  test that runs without the wrapping transaction, the URL names it names: a string passed to
  ``reverse()`` (or the strings of a ``parametrize`` argument passed to it), a path literal
  (``"/hr/me/"``, ``f"/admin/x/{pk}/change/"``) that resolves, and the admin action posted as
  ``"action": "<name>"`` together with that model's changelist (``covered()``). What the
  test's own module-level helpers, fixtures and constants name counts for it too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

TESTS_ROOT = Path(__file__).resolve().parent.parent

# Fixtures that give a test a database without the wrapping transaction.
COMMITTED_FIXTURES = frozenset({"live_server", "transactional_db"})

# Methods a view answers when nothing restricts them.
ALL_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


# --- Which URLs accept POST ----------------------------------------------------------------------


def view_methods(view: Callable) -> frozenset[str]:
    """The HTTP methods ``view`` (as the URLconf holds it) lets through to its body.

    A function view: every ``require_http_methods`` in its chain of decorators (found through
    ``__wrapped__``; the decorator's wrapper keeps ``request_method_list`` in its closure)
    narrows the set. A class-based view (``as_view()``): ``http_method_names`` that the class
    has a handler for."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return frozenset(
            name.upper()
            for name in view_class.http_method_names
            if hasattr(view_class, name) or name == "head" and hasattr(view_class, "get")
        )
    allowed = set(ALL_METHODS)
    seen = set()
    current = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "__code__", None)
        closure = getattr(current, "__closure__", None) or ()
        if code is not None and "request_method_list" in code.co_freevars:
            cell = closure[code.co_freevars.index("request_method_list")]
            allowed &= {m.upper() for m in cell.cell_contents}
        current = getattr(current, "__wrapped__", None)
    return frozenset(allowed)


def accepts_post(view: Callable) -> bool:
    return "POST" in view_methods(view)


@dataclass(frozen=True)
class Route:
    name: str  # "payroll:run_approve"; "" when the pattern has none
    route: str  # the path as written, for messages: "payroll/runs/<int:pk>/approve/"
    view: Callable


def _pattern_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    if isinstance(pattern, RegexPattern):
        return pattern._regex.lstrip("^").rstrip("$")
    return str(pattern)


def routes(resolver: URLResolver | None = None) -> Iterator[Route]:
    """Every URL pattern of the project with its namespaced name."""

    def walk(patterns, namespaces: tuple[str, ...], prefix: str):
        for entry in patterns:
            text = prefix + _pattern_text(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespaces + ((entry.namespace,) if entry.namespace else ())
                yield from walk(entry.url_patterns, inner, text)
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name)) if entry.name else ""
                yield Route(name=name, route=text, view=entry.callback)

    yield from walk((resolver or get_resolver()).url_patterns, (), "")


def _names(patterns) -> set[str]:
    return {p.name for p in patterns if getattr(p, "name", None)}


def admin_generic_names(site: admin.AdminSite = admin.site) -> set[str]:
    """The names the admin site and ``ModelAdmin`` give every model (changelist, add, change,
    delete, history, the index, login, ...), as ``admin:<name>``."""
    names = _names(admin.AdminSite.get_urls(site))
    for model_admin in site._registry.values():
        names |= _names(admin.ModelAdmin.get_urls(model_admin))
    return {f"{site.name}:{name}" for name in names}


def admin_actions(site: admin.AdminSite = admin.site) -> dict[str, admin.ModelAdmin]:
    """Each custom admin action as ``admin:<app>_<model>:<action>`` (``delete_selected``, the
    site-wide generic one, left out)."""
    found = {}
    for model, model_admin in site._registry.items():
        for action in model_admin.actions or ():
            name = action if isinstance(action, str) else action.__name__
            if name == "delete_selected":
                continue
            found[f"{site.name}:{model._meta.app_label}_{model._meta.model_name}:{name}"] = (
                model_admin
            )
    return found


def post_targets() -> dict[str, str]:
    """What must have a committed test: ``{name: where}``, ``where`` being the route or the
    admin class, for the failure message. Unnamed patterns outside the admin are an error of
    their own (``unnamed_post_routes``)."""
    generic = admin_generic_names()
    targets = {}
    for route in routes():
        if not route.name or route.name in generic or not accepts_post(route.view):
            continue
        targets[route.name] = route.route
    for name, model_admin in admin_actions().items():
        targets[name] = f"action of {type(model_admin).__qualname__}"
    return targets


def unnamed_post_routes() -> list[str]:
    """Routes that accept POST and have no name (and so no honest way to name them in a test),
    the admin's catch-all excepted."""
    return [
        route.route
        for route in routes()
        if not route.name and not route.route.startswith("admin/") and accepts_post(route.view)
    ]


# --- Which tests run without the wrapping transaction, and what they name -------------------


def _is_committed_mark(node: ast.AST) -> bool:
    """``pytest.mark.django_db(transaction=True)`` (also ``mark.django_db(...)``)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "django_db"):
        return False
    return any(
        kw.arg == "transaction" and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in node.keywords
    )


def _marks_committed(value: ast.AST) -> bool:
    """A ``pytestmark`` value: one mark, or a list or tuple of them."""
    items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    return any(_is_committed_mark(item) for item in items)


def _pytestmark(body: Iterable[ast.stmt]) -> bool:
    for stmt in body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, ast.AnnAssign)
            else []
        )
        if (
            any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets)
            and stmt.value is not None
            and _marks_committed(stmt.value)
        ):
            return True
    return False


def _is_fixture(node: ast.FunctionDef) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
        if isinstance(target, ast.Name) and target.id == "fixture":
            return True
    return False


def _params(node: ast.FunctionDef) -> set[str]:
    args = node.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


@dataclass
class Mentions:
    """What a piece of test code names: URL names given to ``reverse()``, path literals, and
    admin actions posted as ``{"action": name}``."""

    url_names: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    # A helper posts ``{"action": name}`` with the name as a parameter: the strings the test
    # passes are the candidates (still only an action of the changelist the test posts to).
    action_parameter: bool = False
    strings: set[str] = field(default_factory=set)

    def update(self, other: Mentions) -> None:
        self.url_names |= other.url_names
        self.paths |= other.paths
        self.actions |= other.actions
        self.action_parameter |= other.action_parameter
        self.strings |= other.strings

    def action_names(self) -> set[str]:
        return self.actions | (self.strings if self.action_parameter else set())


PLACEHOLDER = "1"


def _path_text(node: ast.AST, constants: dict[str, str]) -> str | None:
    """A string constant or f-string that starts with ``/``. In an f-string a module-level
    string constant stands for itself (``f"{PROFILES}{p.pk}/change/"``), a leading expression
    for a base URL (``f"{live_server.url}/hr/me/"``) is left out, anything else stands for
    ``1``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        parts = []
        for index, value in enumerate(node.values):
            if (
                index == 0
                and isinstance(value, ast.FormattedValue)
                and not (isinstance(value.value, ast.Name) and value.value.id in constants)
            ):
                continue  # f"{live_server.url}/hr/me/": a base URL in front
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif (
                isinstance(value, ast.FormattedValue)
                and isinstance(value.value, ast.Name)
                and value.value.id in constants
            ):
                parts.append(constants[value.value.id])
            else:
                parts.append(PLACEHOLDER)
        text = "".join(parts)
    else:
        return None
    if not text.startswith("/") or text.startswith("//") or " " in text:
        return None
    return text


def _is_reverse(func: ast.AST) -> bool:
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in {"reverse", "reverse_lazy"}


def _parametrized(node: ast.FunctionDef) -> dict[str, set[str]]:
    """``{argument: its string values}`` from ``@pytest.mark.parametrize`` decorators, so that
    ``reverse(url_name)`` in a parametrized test names each value."""
    values: dict[str, set[str]] = {}
    for deco in node.decorator_list:
        if not (
            isinstance(deco, ast.Call)
            and isinstance(deco.func, ast.Attribute)
            and deco.func.attr == "parametrize"
            and len(deco.args) >= 2
        ):
            continue
        names_node, rows_node = deco.args[0], deco.args[1]
        if isinstance(names_node, ast.Constant) and isinstance(names_node.value, str):
            names = [n.strip() for n in names_node.value.split(",") if n.strip()]
        elif isinstance(names_node, (ast.List, ast.Tuple)):
            names = [n.value for n in names_node.elts if isinstance(n, ast.Constant)]
        else:
            continue
        if not isinstance(rows_node, (ast.List, ast.Tuple)):
            continue
        for row in rows_node.elts:
            cells = row.elts if len(names) > 1 and isinstance(row, (ast.List, ast.Tuple)) else [row]
            for name, cell in zip(names, cells, strict=False):
                if isinstance(cell, ast.Constant) and isinstance(cell.value, str):
                    values.setdefault(name, set()).add(cell.value)
    return values


def _own_mentions(node: ast.AST, constants: dict[str, str]) -> tuple[Mentions, set[str]]:
    """What ``node`` names itself, and the names (of functions, fixtures, constants) it uses."""
    found = Mentions()
    used: set[str] = set()
    parametrized = _parametrized(node) if isinstance(node, ast.FunctionDef) else {}
    in_fstring = {
        id(part)
        for child in ast.walk(node)
        if isinstance(child, ast.JoinedStr)
        for part in child.values
    }
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            if _is_reverse(child.func) and child.args:
                first = child.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.url_names.add(first.value)
                elif isinstance(first, ast.Name) and first.id in parametrized:
                    found.url_names |= parametrized[first.id]
            if isinstance(child.func, ast.Name) and child.func.id == "dict":
                for kw in child.keywords:
                    if (
                        kw.arg == "action"
                        and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, str)
                    ):
                        found.actions.add(kw.value.value)
        elif isinstance(child, ast.Dict):
            for key, value in zip(child.keys, child.values, strict=True):
                if not (isinstance(key, ast.Constant) and key.value == "action"):
                    continue
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.actions.add(value.value)
                elif isinstance(value, ast.Name):
                    found.action_parameter = True
        if isinstance(child, (ast.Constant, ast.JoinedStr)) and id(child) not in in_fstring:
            text = _path_text(child, constants)
            if text is not None:
                found.paths.add(text)
            elif isinstance(child, ast.Constant) and isinstance(child.value, str):
                found.strings.add(child.value)
        elif isinstance(child, ast.Name):
            used.add(child.id)
    if isinstance(node, ast.FunctionDef):
        used |= _params(node)
    return found, used


@dataclass
class CommittedTest:
    module: str  # "tests/payroll/test_x.py"
    name: str  # "test_y" or "TestZ::test_y"
    mentions: Mentions


class _Module:
    """One test file: its module-level functions (helpers and fixtures), constants and the
    tests that run without the wrapping transaction."""

    def __init__(self, path: Path, tree: ast.Module):
        self.path = path
        self.tree = tree
        self.definitions: dict[str, ast.AST] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef):
                self.definitions[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.definitions[target.id] = stmt.value
            elif (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.value is not None
            ):
                self.definitions[stmt.target.id] = stmt.value
        self.constants = {
            name: value.value
            for name, value in self.definitions.items()
            if isinstance(value, ast.Constant) and isinstance(value.value, str)
        }
        self.committed_module = _pytestmark(tree.body)
        self._own: dict[int, tuple[Mentions, set[str]]] = {}

    def _own_of(self, node: ast.AST) -> tuple[Mentions, set[str]]:
        key = id(node)
        if key not in self._own:
            self._own[key] = _own_mentions(node, self.constants)
        return self._own[key]

    def mentions(self, node: ast.AST) -> Mentions:
        """What ``node`` names, with what the module-level helpers, fixtures and constants it
        uses name (transitively)."""
        total = Mentions()
        queue, seen = [node], {id(node)}
        while queue:
            current = queue.pop()
            own, used = self._own_of(current)
            total.update(own)
            for name in used:
                definition = self.definitions.get(name)
                if definition is not None and id(definition) not in seen:
                    seen.add(id(definition))
                    queue.append(definition)
        return total

    def _committed_function(self, node: ast.FunctionDef, inherited: bool) -> bool:
        return (
            inherited
            or any(_is_committed_mark(d) for d in node.decorator_list)
            or bool(_params(node) & COMMITTED_FIXTURES)
            or self._uses_committed_fixture(node)
        )

    def _uses_committed_fixture(self, node: ast.FunctionDef) -> bool:
        """A same-module fixture that itself asks for a committed database."""
        queue, seen = list(_params(node)), set()
        while queue:
            name = queue.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in COMMITTED_FIXTURES:
                return True
            definition = self.definitions.get(name)
            if isinstance(definition, ast.FunctionDef) and _is_fixture(definition):
                queue.extend(_params(definition))
        return False

    def committed_tests(self) -> Iterator[CommittedTest]:
        relative = str(self.path.relative_to(TESTS_ROOT.parent))
        for stmt in self.tree.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test"):
                if self._committed_function(stmt, self.committed_module):
                    yield CommittedTest(relative, stmt.name, self.mentions(stmt))
            elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
                inherited = (
                    self.committed_module
                    or any(_is_committed_mark(d) for d in stmt.decorator_list)
                    or _pytestmark(stmt.body)
                )
                for method in stmt.body:
                    if (
                        isinstance(method, ast.FunctionDef)
                        and method.name.startswith("test")
                        and self._committed_function(method, inherited)
                    ):
                        yield CommittedTest(
                            relative, f"{stmt.name}::{method.name}", self.mentions(method)
                        )


def committed_tests_in(path: Path, source: str | None = None) -> list[CommittedTest]:
    source = path.read_text(encoding="utf-8") if source is None else source
    return list(_Module(path, ast.parse(source, filename=str(path))).committed_tests())


def committed_tests(root: Path = TESTS_ROOT) -> list[CommittedTest]:
    found = []
    for path in sorted(root.rglob("test_*.py")):
        found.extend(committed_tests_in(path))
    return found


def _resolved_name(path: str) -> str | None:
    from django.urls import resolve

    try:
        match = resolve(path.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return None
    return match.view_name if match.url_name else None


def covered(tests: Iterable[CommittedTest]) -> dict[str, list[str]]:
    """``{url name or admin action: [tests that name it]}``."""
    by_name: dict[str, list[str]] = {}
    changelist_of = {
        f"admin:{label}_changelist": label
        for label in (
            f"{model._meta.app_label}_{model._meta.model_name}" for model in admin.site._registry
        )
    }
    for test in tests:
        where = f"{test.module}::{test.name}"
        names = set(test.mentions.url_names)
        names |= {n for n in map(_resolved_name, test.mentions.paths) if n}
        for name in names:
            by_name.setdefault(name, []).append(where)
        # An action counts when the same test names the changelist it is posted to.
        for name in names & changelist_of.keys():
            for action in test.mentions.action_names():
                by_name.setdefault(f"admin:{changelist_of[name]}:{action}", []).append(where)
    return by_name
