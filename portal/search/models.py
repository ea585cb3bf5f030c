"""One row per searchable object: its kind, its id and its text cut into search tokens."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class SearchDocument(Base):
    """``tokens`` is written by ``search.service.tokens``; the full-text index over it
    (an FTS5 table ``search_fts_<kind>`` on SQLite, a GIN index on PostgreSQL) is made by the
    migration, outside the models: see ``search.schema``."""

    __tablename__ = "search_document"
    __table_args__ = (Index("ix_search_document_object", "kind", "object_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    tokens: Mapped[str] = mapped_column(Text)
