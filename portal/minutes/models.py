from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.db import Base, UTCDateTime


class MeetingKind(StrEnum):
    REPRESENTATIVES = "representatives"
    OWNERS_COMMITTEE = "owners_committee"
    COUNCIL = "council"
    JOINT = "joint"
    HEARING = "hearing"

    @property
    def label(self):
        return MEETING_KIND_LABELS[self]


MEETING_KIND_LABELS = {
    MeetingKind.REPRESENTATIVES: _l("Residents' representatives assembly"),
    MeetingKind.OWNERS_COMMITTEE: _l("Owners' committee meeting"),
    MeetingKind.COUNCIL: _l("Residents' council"),
    MeetingKind.JOINT: _l("Joint meeting"),
    MeetingKind.HEARING: _l("Public hearing"),
}


class ResolutionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SHELVED = "shelved"

    @property
    def label(self):
        return RESOLUTION_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


RESOLUTION_STATUS_LABELS = {
    ResolutionStatus.NOT_STARTED: _l("Not started"),
    ResolutionStatus.IN_PROGRESS: _l("In progress"),
    ResolutionStatus.DONE: _l("Done"),
    ResolutionStatus.SHELVED: _l("Shelved"),
}
OPEN_STATUSES = (ResolutionStatus.NOT_STARTED, ResolutionStatus.IN_PROGRESS)


class Meeting(Base):
    """A meeting and its minutes. Drafted, then published; published edits keep versions."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_published_held", "published", "held_on", "id"),)

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
    __table_args__ = (Index("ix_resolution_status_due", "status", "due_on"),)

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
