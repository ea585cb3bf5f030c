"""The board's domain logic: profiles, which sections a screen shows, and its ETag.

The ETag is built from one SQL statement that selects every shown section's fingerprint
expressions together, so a board whose content hasn't changed costs one query (two with a
profile) and gets a 304.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit.service import record
from portal.board.models import BoardProfile
from portal.errors import DomainError
from portal.registry import AuditAction, BoardSection

# The files a screen keeps for weeks: when a deploy changes them, ETags change and screens
# reload themselves (see board.js).
CODE_FILES = ("static/js/board.js", "static/css/board.css", "templates/board/page.html",
              "templates/board/_content.html", "portal/board/service.py")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
SLUG_TAKEN = _l("Another profile already uses this short name. Choose another one.")


@dataclass(frozen=True)
class Profile:
    """What a screen shows. The default board (no profile) shows every section, unfiltered."""

    slug: str | None = None
    name: str = ""
    sections: tuple[str, ...] | None = None  # None: every registered section
    building: str | None = None  # sections show community-wide items and this building's
    version: str = "default"

    @classmethod
    def from_row(cls, row: BoardProfile) -> Profile:
        return cls(slug=row.slug, name=row.name, sections=tuple(row.sections) or None,
                   building=row.building or None,
                   version=f"{row.id}:{row.updated_at.isoformat()}")


DEFAULT_PROFILE = Profile()


def find_profile(session: Session, slug: str | None) -> Profile | None:
    """The profile for ?profile=slug; the default for no slug; None for an unknown one."""
    if not slug:
        return DEFAULT_PROFILE
    row = session.scalar(select(BoardProfile).where(BoardProfile.slug == slug))
    return Profile.from_row(row) if row else None


def shown_sections(registered: list[BoardSection], profile: Profile) -> list[BoardSection]:
    """The registered sections this profile shows, alerts first, then by their order."""
    chosen = [section for section in registered
              if profile.sections is None or section.key in profile.sections]
    return sorted(chosen, key=lambda section: (section.key != "alerts", section.order))


def _takes_profile(function) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)


def call_section(function, now: datetime, profile: Profile):
    """Call a section's load or fingerprint; one written as f(now) still works."""
    return function(now, profile) if _takes_profile(function) else function(now)


def _scalar(expression):
    # A one-column select() is accepted as it is; it must become a scalar subquery to sit
    # beside the others in a single SELECT.
    return expression.scalar_subquery() if isinstance(expression, Select) else expression


def fingerprint_values(session: Session, sections: list[BoardSection], now: datetime,
                       profile: Profile) -> tuple:
    """Every section's fingerprint values, read with ONE statement (none if no section)."""
    expressions = []
    for section in sections:
        expressions.extend(_scalar(e) for e in call_section(section.fingerprint, now, profile))
    if not expressions:
        return ()
    labelled = [literal(1).label("board")] + [
        expression.label(f"f{number}") for number, expression in enumerate(expressions)]
    return tuple(session.execute(select(*labelled)).one())[1:]


def code_version(root: Path) -> str:
    digest = hashlib.sha256()
    for name in CODE_FILES:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


def etag(*, code: str, values: tuple, sections: list[BoardSection], profile: Profile, locale: str,
         day: str, variant: str, settings: tuple) -> str:
    """A digest of everything the answer depends on: data, sections, profile, language, day."""
    parts = (code, variant, locale, day, settings, profile.slug, profile.version,
             [(section.key, section.template) for section in sections], values)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def page_nonce(secret: str, tag: str) -> str:
    """A CSP nonce that stays the same while the page's ETag does.

    A revalidated page (304) keeps the body the browser cached, and the browser takes the
    CSP header from the 304: both must name the same nonce. It is derived from the secret
    key and the content, so nobody can predict it, and markup slipped into the content
    would change the ETag and with it the nonce.
    """
    digest = hmac.new(secret.encode(), f"board-nonce:{tag}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def load_sections(sections: list[BoardSection], now: datetime, profile: Profile):
    """(section, context) for every section with something to show."""
    loaded = []
    for section in sections:
        context = call_section(section.load, now, profile)
        if context:
            loaded.append((section, context))
    return loaded


# --- profiles (back office) ---------------------------------------------------------------

AREA = "board"
AUDIT_ACTIONS = (
    AuditAction(AREA, "profile_added", _l("Added a board profile")),
    AuditAction(AREA, "profile_edited", _l("Edited a board profile")),
    AuditAction(AREA, "profile_deleted", _l("Deleted a board profile")),
)

def profiles_statement():
    return select(BoardProfile).order_by(BoardProfile.name, BoardProfile.id)


def get_profile(session: Session, profile_id: int) -> BoardProfile | None:
    return session.get(BoardProfile, profile_id)


def _check_slug(session: Session, slug: str, profile_id: int | None) -> None:
    if not SLUG.match(slug):
        raise DomainError(_l("Use lower-case letters, digits and dashes, for example lobby or "
                             "building-3."), field="slug")
    clash = session.scalar(select(BoardProfile.id).where(BoardProfile.slug == slug))
    if clash is not None and clash != profile_id:
        raise DomainError(SLUG_TAKEN, field="slug")


def save_profile(session: Session, profile: BoardProfile | None, *, slug: str, name: str,
                 sections: list[str], building: str | None, actor) -> BoardProfile:
    """Create (profile=None) or update a profile. Raises DomainError on a bad or taken short
    name, also when another request took it a moment ago (the unique index says so)."""
    slug = slug.strip().lower()
    _check_slug(session, slug, profile.id if profile else None)
    action = "profile_added" if profile is None else "profile_edited"
    try:
        with session.begin_nested():
            if profile is None:
                profile = BoardProfile()
                session.add(profile)
            profile.slug = slug
            profile.name = name
            profile.sections = list(dict.fromkeys(sections))
            profile.building = building or None
            session.flush()
    except IntegrityError:
        raise DomainError(SLUG_TAKEN, field="slug") from None
    record(session, actor, AREA, action, profile.slug, profile.name)
    return profile


def delete_profile(session: Session, profile: BoardProfile, actor) -> None:
    record(session, actor, AREA, "profile_deleted", profile.slug, profile.name)
    session.delete(profile)
    session.flush()
