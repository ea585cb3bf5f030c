"""Demo board profiles: the lobby screen and one for building 3."""

from __future__ import annotations

from sqlalchemy import select

from portal.board.models import BoardProfile

PROFILES = [
    ("lobby", "大厅", None),
    ("building-3", "3号楼", "3号楼"),
]


def load(session, echo, scale=None) -> None:
    existing = set(session.scalars(select(BoardProfile.slug)))
    for slug, name, building in PROFILES:
        if slug not in existing:
            session.add(BoardProfile(slug=slug, name=name, building=building, sections=[]))
    echo("Notice board: /board, /board?profile=lobby, /board?profile=building-3")
