"""Claiming and running one slot of a periodic job, safely with any number of workers."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from portal.clock import SHANGHAI, utcnow
from portal.jobs.models import JobRun, ScheduledJob
from portal.registry import Job

log = logging.getLogger("portal.jobs")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def trigger(job: Job) -> CronTrigger:
    return CronTrigger.from_crontab(job.schedule, timezone=SHANGHAI)


def next_slot(job: Job, after: datetime) -> datetime:
    """The first time on the job's schedule strictly after ``after`` (missed slots coalesce)."""
    return trigger(job).get_next_fire_time(None, after + timedelta(seconds=1)).astimezone(UTC)


def ensure_rows(session: Session, jobs, now: datetime) -> None:
    """A schedule row for every job, first due at its next slot. Rows already there keep their
    place, so a slot missed while no worker ran is caught up as soon as one starts."""
    rows = [{"name": job.name, "next_run_at": next_slot(job, now)} for job in jobs]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ScheduledJob).values(rows).on_conflict_do_nothing(
        index_elements=["name"]))
    session.commit()


def claim(session: Session, job: Job, now: datetime) -> tuple[int, datetime | None] | None:
    """Take the job's due slot for this worker: (run id, ``since``), or None when it isn't due
    or another worker has it. Commits at once, so the claim is visible before the job runs."""
    statement = select(ScheduledJob).where(ScheduledJob.name == job.name,
                                           ScheduledJob.next_run_at <= now)
    try:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # A second worker skips the row another one holds instead of waiting for it.
            statement = statement.with_for_update(skip_locked=True)
        elif not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's one write lock
        row = session.scalar(statement.execution_options(populate_existing=True))
        if row is None:
            session.rollback()
            return None
        run = JobRun(job=job.name, slot_at=row.next_run_at, worker=worker_name(),
                     started_at=now)
        row.next_run_at = next_slot(job, now)
        session.add(run)
        session.commit()
    except (IntegrityError, OperationalError) as error:  # the slot was taken, or busy
        session.rollback()
        log.info("job %s: not claimed (%s)", job.name, type(error).__name__)
        return None
    return run.id, row.last_success_at


def run_job(app: Flask, job: Job) -> str | None:
    """Run the job's due slot if this worker can claim it; returns its summary, or None."""
    from portal.extensions import db

    with app.app_context():
        session = db.session
        now = utcnow()
        claimed = claim(session, job, now)
        if claimed is None:
            return None
        run_id, since = claimed
        try:
            result = str(job.run(session, since=since, now=now) or "done")
            session.commit()
        except Exception as error:
            session.rollback()
            # The type only: an exception's text may quote the data it choked on.
            log.exception("job %s failed (run %s)", job.name, run_id)
            _finish(session, job, run_id, f"failed: {type(error).__name__}", failed=True)
            return None
        _finish(session, job, run_id, result, success_at=now)
        log.info("job %s: %s", job.name, result)
        return result


def _finish(session: Session, job: Job, run_id: int, result: str, *, failed: bool = False,
            success_at: datetime | None = None) -> None:
    session.execute(update(JobRun).where(JobRun.id == run_id).values(
        finished_at=utcnow(), result=result[:500], failed=failed))
    values = {"last_error": result[:500] if failed else None}
    if success_at is not None:
        values["last_success_at"] = success_at
    session.execute(update(ScheduledJob).where(ScheduledJob.name == job.name).values(**values))
    session.commit()


def run_due_once(app: Flask, jobs) -> dict[str, str | None]:
    """Every due job once, one after another (``portal worker --once``, for cron or a test)."""
    from portal.extensions import db

    with app.app_context():
        ensure_rows(db.session, jobs, utcnow())
    return {job.name: run_job(app, job) for job in jobs}
