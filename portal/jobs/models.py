from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime


class ScheduledJob(Base):
    """One periodic job's place in its schedule, shared by every worker.

    A worker runs a job only after claiming this row for the slot that is due
    (``next_run_at <= now``): with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a second
    worker skips the row instead of waiting, and under SQLite's single write lock on one
    machine. The claim moves ``next_run_at`` to the next slot before the job starts, so
    however many workers there are, each slot runs once.
    """

    __tablename__ = "scheduled_job"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The end of the last run that succeeded: jobs that work on "what happened since" use it.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class JobRun(Base):
    """Each run of a job: which slot, which worker, how it went. The unique slot is a second
    guard: no slot of a job can be run twice, whatever happens to the claim."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot_at", name="uq_job_run_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    worker: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(500))
    failed: Mapped[bool] = mapped_column(default=False)
