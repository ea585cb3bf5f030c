"""Resident requests (诉求): categories, the requests, their timeline, followers and photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, case, exists, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.db import UNMODELLED_INDEXES, Base, UTCDateTime
from portal.files.models import StoredFile


class RequestCategory(Base):
    """A staff-editable category; ``role`` is the team a new request in it goes to."""

    __tablename__ = "request_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(30), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_zh if str(locale).startswith("zh") else self.name_en


class ReplyTemplate(Base):
    """A ready-made public reply that staff can start from and edit. It is offered for
    requests of its category at its stage (service.TEMPLATE_STAGES); None for either: any."""

    __tablename__ = "request_reply_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_category.id", ondelete="SET NULL"))
    stage: Mapped[str | None] = mapped_column(String(20))


# The open statuses (rules.OPEN), written out for the partial indexes: a query uses one only
# when its WHERE says status IN (these three), which queue.open_clause() does.
OPEN_CLAUSE = text("status IN ('submitted', 'accepted', 'in_progress')")


class ServiceRequest(Base):
    __tablename__ = "service_request"
    # The queue is read in one order (priority, then longest waiting), so every filter has an
    # index that ends in that order: the page is the first 25 entries of one index, whatever
    # the table's size. The open queue (the default view and the staff-home counts) has
    # partial indexes over the open rows only, which stay small as the years go by.
    __table_args__ = (
        Index("ix_service_request_queue", "status", "priority", "created_at"),
        Index("ix_service_request_order", "priority", "created_at", "id"),
        Index("ix_service_request_role_queue", "role", "status", "priority", "created_at"),
        Index("ix_service_request_assignee", "assignee_id", "status"),
        Index("ix_service_request_owner_activity", "owner_id", "last_activity_at"),
        Index("ix_service_request_similar", "building", "category_id", "status"),
        # Likely duplicates received in the last 30 days (service/duplicates.py).
        Index("ix_service_request_alike", "building", "category_id", "created_at"),
        Index("ix_service_request_resolved", "status", "resolved_at"),
        # Residents whose request was resolved in a period (a survey audience).
        Index("ix_service_request_resolved_at", "resolved_at"),
        Index("ix_service_request_role_order", "role", "priority", "created_at", "id"),
        Index("ix_service_request_category_order", "category_id", "priority", "created_at", "id"),
        Index("ix_service_request_building_order", "building", "priority", "created_at", "id"),
        Index("ix_service_request_assignee_order", "assignee_id", "priority", "created_at", "id"),
        *(Index(f"ix_service_request_open{suffix}", *columns, "priority", "created_at", "id",
                sqlite_where=OPEN_CLAUSE, postgresql_where=OPEN_CLAUSE)
          for suffix, columns in (("", ()), ("_role", ("role",)),
                                  ("_category", ("category_id",)),
                                  ("_assignee", ("assignee_id",)),
                                  ("_building", ("building",)),
                                  ("_channel", ("channel",)))),
        Index("ix_service_request_channel_order", "channel", "priority", "created_at", "id"),
        # The escalation job: open requests not yet escalated, by how late they are.
        Index("ix_service_request_escalation", "escalated_at", "resolve_by", "respond_by",
              "first_response_at", sqlite_where=OPEN_CLAUSE, postgresql_where=OPEN_CLAUSE),
        # Everything the staff-home counts read, so they never touch the table itself.
        Index("ix_service_request_open_counts", "role", "assignee_id", "flagged", "status",
              "resolve_by", "respond_by", "first_response_at",
              sqlite_where=OPEN_CLAUSE, postgresql_where=OPEN_CLAUSE),
        Index("ix_service_request_category_created", "category_id", "created_at"),
        # The figures of a period (rates.py): every column a rate, a narrowing or a breakdown
        # reads, after the creation time that bounds the period, so a month is a range of
        # this index alone; and the narrowing columns by id, for ratings and resolutions
        # given in a period, which reach their request by its id.
        Index("ix_service_request_figures", "created_at", "status", "first_response_at",
              "respond_by", "resolved_at", "resolve_by", "role", "category_id", "building",
              "assignee_id", "channel"),
        Index("ix_service_request_narrowing", "id", "role", "category_id", "building",
              "assignee_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # None for a request that came in through the API from someone with no account here.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("request_category.id"))
    description: Mapped[str] = mapped_column(Text)
    building: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(100), default="")
    # How it reached us: web (the resident), phone, visit, patrol, hotline (12345) or api;
    # external_ref is the hotline's order number or the API key's name.
    channel: Mapped[str] = mapped_column(String(12), default="web")
    external_ref: Mapped[str | None] = mapped_column(String(60))
    # Recorded by staff (代录; who typed it in is the actor of its first event): for someone
    # with no account here, the name and phone they gave (personal data: staff in scope
    # only, masked in the audit log). A registered resident is the owner instead.
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(11))
    # Chasing (催办): the latest urge and the deadline it set; escalated_at: the scheduler
    # told the deputy directors it is long overdue (once per request).
    urged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urge_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 上报街道: the street office's reference and when it went there (its clock is paused).
    street_ref: Mapped[str | None] = mapped_column(String(60))
    street_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    urgent: Mapped[bool] = mapped_column(default=False)
    many_households: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=3)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    role: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_request.id", ondelete="SET NULL"))
    outcome_note: Mapped[str | None] = mapped_column(String(500))  # reject reason, transfer note
    transferred_to: Mapped[str | None] = mapped_column(String(100))
    flagged: Mapped[bool] = mapped_column(default=False)  # reopened unhappy: for the director
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[RequestCategory] = relationship(lazy="joined", innerjoin=True)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    merged_into: Mapped[ServiceRequest | None] = relationship(remote_side=[id])


# The deadline a request works against next: the first response until it is given, then the
# resolution. The open queue is ordered by it, most urgent first, priority breaking ties.
# A model can't describe an index over an expression that every database reflects alike, so
# migration 0012 creates DEADLINE_INDEXES over this very expression (a query must use it as
# written here) and autogenerate leaves them be (``portal.db.UNMODELLED_INDEXES``).
NEXT_DEADLINE = case((ServiceRequest.first_response_at.is_(None), ServiceRequest.respond_by),
                     else_=ServiceRequest.resolve_by)
DEADLINE_INDEXES = ("ix_service_request_open_due", "ix_service_request_open_due_role",
                    "ix_service_request_open_due_assignee")
UNMODELLED_INDEXES.update(DEADLINE_INDEXES)


class RequestFollower(Base):
    """A resident who had the same problem and follows this request instead of filing another."""

    __tablename__ = "request_follower"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),
                      Index("ix_request_follower_user", "user_id", "request_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestPhoto(Base):
    __tablename__ = "request_photo"
    __table_args__ = (Index("ix_request_photo_request", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"),
                                         unique=True)

    file: Mapped[StoredFile] = relationship(lazy="joined", innerjoin=True)


# Whether a request has a photo, read only where asked (the queue's rows undefer it): an EXISTS
# in the query that loads the page's rows, not a statement of its own.
ServiceRequest.has_photo = column_property(
    exists().where(RequestPhoto.request_id == ServiceRequest.id), deferred=True)


class RequestEvent(Base):
    """One line of a request's timeline. Residents see only the public ones."""

    __tablename__ = "request_event"
    __table_args__ = (Index("ix_request_event_request", "request_id", "created_at"),
                      # The figures: ratings and resolutions given in a period.
                      Index("ix_request_event_kind_at", "kind", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # status, reply, note, assign, edit, follow...
    public: Mapped[bool] = mapped_column(default=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # an urge's new deadline
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")
