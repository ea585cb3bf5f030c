"""The one registry of extension points: how an area plugs into shared pages and commands
without those pages knowing it.

Each area's ``init_app(app)`` registers what it offers with ``registry(app).add(...)``:
a tile on the resident home, a link in the back-office menu, a panel on the staff home,
a banner above every page, a board section, a survey audience, a rule for who may see its
files, the file fields a form kept for a sign-in may hold, the words for its audit-log
actions, its reference data, its demo data, its periodic jobs and its commands. The things
themselves are defined where they belong (a board section in the area's ``board.py``, a
panel's counts in its service); ``__init__.py`` is where every area registers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click
from flask import Flask, current_app


@dataclass(frozen=True)
class Tile:
    """A service on the resident home and in the resident navigation."""

    endpoint: str
    title: Any  # a lazy string
    description: Any
    order: int = 100
    tab: Any = None  # a short label: also a tab in the phone's bottom bar (at most three do)
    # (endpoint, label): one of the big buttons first on the care-mode home (at most four)
    task: tuple[str, Any] | None = None


@dataclass(frozen=True)
class StaffLink:
    """An entry in the back-office menu, shown when the user holds the permission."""

    endpoint: str
    title: Any
    permission: str
    order: int = 100
    menu: str = ""  # "" on the bar itself, or the group it is in (portal.web.layout.STAFF_MENUS)


@dataclass(frozen=True)
class StaffPanel:
    """A block on /staff/: a template fragment and a function that returns its context."""

    template: str
    context: Callable[[Any], dict]  # receives the current user
    permission: str
    order: int = 100


@dataclass(frozen=True)
class Banner:
    """Shown above every page's content when ``load()`` returns a template and its context."""

    load: Callable[[], tuple[str, dict] | None]
    order: int = 100


@dataclass(frozen=True)
class BoardSection:
    """A section of the public lobby board (/board). Must never carry personal data.

    ``load(now, profile)`` returns the template context, or None/{} when there is nothing
    to show; ``fingerprint(now, profile)`` returns SQL scalar expressions whose values change
    whenever what the section shows changes. The board selects every section's expressions
    in one statement to build its ETag, so a 304 costs one query. The full contract is in
    portal/board/__init__.py.
    """

    key: str
    title: Any
    template: str
    load: Callable[..., dict | None]
    fingerprint: Callable[..., list]
    order: int = 100


@dataclass(frozen=True)
class AudienceParam:
    """One input staff fill in for a survey audience: "choice", "choices" or "date"."""

    name: str
    label: Any
    kind: str = "choice"
    # (session) -> [(value, label)]: the values allowed for "choice" and "choices".
    choices: Callable[[Any], list[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class AudienceSource:
    """Who a survey can be sent to: ``resolver(params)`` is a select() of one column of user
    ids (duplicates allowed), so sizes and membership are computed in the database."""

    key: str
    label: Any
    resolver: Callable[[dict], Any]
    params: tuple[AudienceParam, ...] = field(default_factory=tuple)
    order: int = 100


@dataclass(frozen=True)
class FileAccessRule:
    """Who besides its owner may see a file of ``area``: the same scope as the object the file
    belongs to. ``allows(session, user, stored_file)``; ``user`` may be anonymous.
    ``opened(session, user, stored_file)``, when given, runs each time the file is served (to
    whomever, owner included) before the response, and the session is committed after it:
    for an area whose files must leave a line in the audit log."""

    area: str
    allows: Callable[[Any, Any, Any], bool]
    opened: Callable[[Any, Any, Any], None] | None = None


@dataclass(frozen=True)
class KeptUpload:
    """A file field of a form whose files are kept when the form arrives without a
    sign-in (portal/keptforms): stored as pending uploads of ``area`` under the same checks
    and limits as the form's own, their tokens put into the form's hidden ``tokens_field``.
    The files of any field not registered are never stored for an anonymous visitor."""

    endpoint: str
    field: str
    tokens_field: str
    area: str
    allowed: frozenset[str]
    max_bytes: int
    max_files: int


@dataclass(frozen=True)
class AuditAction:
    """The words for one action in the audit log; ``area`` "*" for actions every area has."""

    area: str
    key: str
    label: Any


@dataclass(frozen=True)
class ReferenceData:
    """Rows every community needs (categories, aid types, templates), seeded by ``portal init``.
    ``load(session)`` adds what is missing and never overwrites what staff have edited."""

    name: str
    load: Callable[[Any], None]
    order: int = 100


@dataclass(frozen=True)
class Job:
    """A periodic job that ``portal worker`` runs on its schedule, once per slot however many
    workers run (portal/jobs). ``schedule`` is a crontab line read in Asia/Shanghai
    ("*/15 * * * *"); ``run(session, since, now)`` does one sweep and returns a short summary
    (no personal data), where ``since`` is when the last successful run ended (None the first
    time). The worker commits after ``run``; a job that sends something itself commits each
    piece as it goes, so what was sent is recorded even if a later piece fails."""

    name: str
    schedule: str
    run: Callable[..., Any]
    description: str = ""
    order: int = 100


@dataclass(frozen=True)
class DemoLoader:
    """Loads one area's demo data. ``scale_option`` adds ``--<name> N`` to ``portal demo``."""

    name: str
    load: Callable[..., None]
    order: int = 100
    scale_option: str | None = None
    scale_help: str = ""


@dataclass(frozen=True)
class UserLoadOption:
    """A loader option for the one statement that loads the signed-in user on every request
    (portal.accounts), for something every page shows that can come in that same statement:
    the bell's unread count, say, instead of a statement of its own on each page."""

    option: object
    order: int = 100


@dataclass
class Registry:
    tiles: list[Tile] = field(default_factory=list)
    staff_links: list[StaffLink] = field(default_factory=list)
    staff_panels: list[StaffPanel] = field(default_factory=list)
    banners: list[Banner] = field(default_factory=list)
    board_sections: list[BoardSection] = field(default_factory=list)
    audiences: dict[str, AudienceSource] = field(default_factory=dict)
    file_rules: dict[str, FileAccessRule] = field(default_factory=dict)
    kept_uploads: dict[str, list[KeptUpload]] = field(default_factory=dict)
    audit_actions: dict[tuple[str, str], AuditAction] = field(default_factory=dict)
    reference_data: list[ReferenceData] = field(default_factory=list)
    demo_loaders: list[DemoLoader] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    commands: list[click.Command] = field(default_factory=list)
    user_load_options: list[UserLoadOption] = field(default_factory=list)

    _LISTS = {Tile: "tiles", StaffLink: "staff_links", StaffPanel: "staff_panels",
              Banner: "banners", BoardSection: "board_sections",
              ReferenceData: "reference_data", DemoLoader: "demo_loaders",
              UserLoadOption: "user_load_options"}

    def add(self, *items) -> None:
        """Register extension points of any kind; the kind decides where each goes."""
        for item in items:
            if isinstance(item, AudienceSource):
                self.audiences[item.key] = item
            elif isinstance(item, FileAccessRule):
                self.file_rules[item.area] = item
            elif isinstance(item, KeptUpload):
                self.kept_uploads.setdefault(item.endpoint, []).append(item)
            elif isinstance(item, AuditAction):
                self.audit_actions[(item.area, item.key)] = item
            elif isinstance(item, Job):
                self.jobs[item.name] = item
            elif isinstance(item, click.Command):
                self.commands.append(item)
            elif type(item) in self._LISTS:
                getattr(self, self._LISTS[type(item)]).append(item)
            else:
                raise TypeError(f"not an extension point: {item!r}")

    def sorted(self, name: str) -> list:
        items = getattr(self, name)
        items = items.values() if isinstance(items, dict) else items
        return sorted(items, key=lambda item: item.order)


def init_app(app: Flask) -> Registry:
    registry = Registry()
    app.extensions["portal_registry"] = registry
    return registry


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions["portal_registry"]
