from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.db import Base, UTCDateTime


class StoredFile(Base):
    """An uploaded file, stored outside static/ under a random name.

    ``area`` names the area whose access rule decides who else may see it. A file stays
    ``attached=False`` between upload and the form that uses it being saved, so a form that
    fails validation keeps the files already uploaded.
    """

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_owner_pending", "owner_id", "attached"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(48), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    area: Mapped[str] = mapped_column(String(30))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(120))
    width: Mapped[int | None]
    height: Mapped[int | None]
    attached: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
