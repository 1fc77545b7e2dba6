"""Registries that lower layers offer and higher apps fill in ``AppConfig.ready()``.

The home page and navigation show links that apps register; ``seed_demo`` runs the seeders that
apps register. Nothing in ``backoffice`` imports an app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeLink:
    key: str
    title: Any  # a lazy translation
    description: Any
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100
    in_nav: bool = False


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[..., list[str]]
    order: int


_home_links: dict[str, HomeLink] = {}
_seeders: dict[str, Seeder] = {}


def register_home_link(link: HomeLink) -> None:
    _home_links[link.key] = link


def home_links_for(user) -> list[HomeLink]:
    return sorted(
        (link for link in _home_links.values() if link.visible(user)),
        key=lambda link: (link.order, link.key),
    )


def register_seeder(name: str, run: Callable[..., list[str]], order: int) -> None:
    """``run(employees=N, stdout=...)`` seeds demo data idempotently; returns lines to print."""
    _seeders[name] = Seeder(name, run, order)


def seeders() -> list[Seeder]:
    return sorted(_seeders.values(), key=lambda s: (s.order, s.name))
