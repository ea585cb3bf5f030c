from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime
from portal.enums import LabelledEnum


class MeetingKind(LabelledEnum):
    REPRESENTATIVES = "representatives", _l("Residents' representatives assembly")
    OWNERS_COMMITTEE = "owners_committee", _l("Owners' committee meeting")
    COUNCIL = "council", _l("Residents' council")
    JOINT = "joint", _l("Joint meeting")
    HEARING = "hearing", _l("Public hearing")


class ResolutionStatus(LabelledEnum):
    NOT_STARTED = "not_started", lazy_pgettext("resolution status", "Not started")
    IN_PROGRESS = "in_progress", lazy_pgettext("resolution status", "In progress")
    DONE = "done", lazy_pgettext("resolution status", "Done")
    SHELVED = "shelved", lazy_pgettext("resolution status", "Shelved")

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = (ResolutionStatus.NOT_STARTED, ResolutionStatus.IN_PROGRESS)


class Meeting(Base):
    """A meeting and its minutes. Drafted, then published; published edits keep versions."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_published_held", "published", "held_on", "id"),
                      Index("ix_meeting_updated", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(120))
    attendance: Mapped[int]
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The version residents see; earlier ones are in meeting_version.
    version: Mapped[int] = mapped_column(default=1)
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last published edit
    form_key: Mapped[str] = mapped_column(String(40), unique=True)  # stops double submits
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="meeting", order_by="Resolution.id", cascade="all, delete-orphan")
    attachments: Mapped[list[MeetingAttachment]] = relationship(
        order_by="MeetingAttachment.id", cascade="all, delete-orphan")

    @property
    def kind_enum(self) -> MeetingKind:
        return MeetingKind(self.kind)


class MeetingVersion(Base):
    """What a published meeting said before an edit replaced it."""

    __tablename__ = "meeting_version"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(120))
    attendance: Mapped[int]
    agenda: Mapped[str] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when this version went out
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_enum(self) -> MeetingKind:
        return MeetingKind(self.kind)


class MeetingAttachment(Base):
    __tablename__ = "meeting_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"),
                                         unique=True)
    file = relationship("StoredFile", lazy="joined")


class Resolution(Base):
    """A decision of a meeting (决议) and how far it has got."""

    __tablename__ = "resolution"
    __table_args__ = (Index("ix_resolution_status_due", "status", "due_on"),
                      Index("ix_resolution_updated", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    text: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(80))  # a department or role, not a resident
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ResolutionStatus.NOT_STARTED.value)
    progress: Mapped[int] = mapped_column(default=0)
    form_key: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="resolutions")
    updates: Mapped[list[ResolutionUpdate]] = relationship(
        back_populates="resolution", cascade="all, delete-orphan",
        order_by="(ResolutionUpdate.created_at.desc(), ResolutionUpdate.id.desc())")

    @property
    def status_enum(self) -> ResolutionStatus:
        return ResolutionStatus(self.status)


class ResolutionUpdate(Base):
    """One dated step on a resolution's timeline."""

    __tablename__ = "resolution_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey("resolution.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int]
    form_key: Mapped[str] = mapped_column(String(40), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resolution: Mapped[Resolution] = relationship(back_populates="updates")

    @property
    def status_enum(self) -> ResolutionStatus:
        return ResolutionStatus(self.status)
