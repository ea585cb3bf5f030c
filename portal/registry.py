"""Extension points that let each area plug into shared pages without the pages knowing it.

Each area's ``init_app(app)`` registers what it offers: a tile on the resident home,
a link in the navigation, a panel on the staff home, a banner above every resident page,
a demo-data loader. The shared templates loop over what is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class Tile:
    """A service on the resident home and in the resident navigation."""

    endpoint: str
    title: Any  # a lazy string
    description: Any
    order: int = 100
    icon: str = ""  # a short emoji-free label drawn by CSS; kept simple on purpose


@dataclass(frozen=True)
class StaffLink:
    """An entry in the back-office navigation, shown when the user holds the permission."""

    endpoint: str
    title: Any
    permission: str
    order: int = 100


@dataclass(frozen=True)
class StaffPanel:
    """A block on /staff/: a template fragment and a function that returns its context."""

    template: str
    context: Callable[[Any], dict]  # receives the current user
    permission: str
    order: int = 100


@dataclass(frozen=True)
class DemoLoader:
    """Loads one area's demo data. ``scale_option`` adds ``--<name> N`` to ``portal demo``."""

    name: str
    load: Callable[..., None]
    order: int = 100
    scale_option: str | None = None
    scale_help: str = ""


@dataclass
class Registry:
    tiles: list[Tile] = field(default_factory=list)
    staff_links: list[StaffLink] = field(default_factory=list)
    staff_panels: list[StaffPanel] = field(default_factory=list)
    # Callables returning a template name and context, or None; rendered above page content.
    banners: list[Callable[[], tuple[str, dict] | None]] = field(default_factory=list)
    demo_loaders: list[DemoLoader] = field(default_factory=list)
    board_sections: list[BoardSection] = field(default_factory=list)

    def sorted(self, name: str) -> list:
        return sorted(getattr(self, name), key=lambda item: item.order)


def init_app(app: Flask) -> Registry:
    registry = Registry()
    app.extensions["portal_registry"] = registry
    return registry


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions["portal_registry"]


@dataclass(frozen=True)
class BoardSection:
    """A section of the public lobby board (/board). Must never carry personal data.

    ``load(now, profile)`` returns the template context, or None/{} when there is nothing
    to show; ``fingerprint(now, profile)`` returns SQL scalar expressions (one-column
    ``select()``s or scalar subqueries) whose values change whenever what the section shows
    changes (an item added, edited or expired, seats taken). The board selects every
    section's expressions in a single statement to build its ETag, so a 304 costs one query.
    ``now`` is an aware UTC datetime; ``profile.building`` (None for all) filters by
    building. ``template`` is rendered with the load() context plus ``now`` and ``profile``.
    The full contract is in portal/board/__init__.py.
    """

    key: str
    title: Any
    template: str
    load: Callable[..., dict]
    fingerprint: Callable[..., list]
    order: int = 100
