"""portal worker: each job slot runs once however many workers run, on SQLite and PostgreSQL;
the jobs that work on "what happened since" do each thing once. The last test starts two real
worker processes against one database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.accounts.roles import Role
from portal.clock import FixedClock
from portal.config import ROOT
from portal.jobs.models import JobRun, ScheduledJob
from portal.jobs.runner import ensure_rows, next_slot, run_job
from portal.notifications.models import Notification, OutboxMessage
from portal.registry import registry

MONDAY_NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def _job(app, name):
    return registry(app).jobs[name]


def test_a_slot_runs_once_and_the_next_slot_runs_again(app, db):
    clock = app.extensions["clock"] = FixedClock(MONDAY_NOON)
    job = _job(app, "close-resolved")  # "5 * * * *"
    with app.app_context():
        ensure_rows(db, [job], clock())
    assert db.get(ScheduledJob, job.name).next_run_at == MONDAY_NOON + timedelta(minutes=5)
    assert run_job(app, job) is None  # not due yet
    clock.advance(minutes=5)
    assert run_job(app, job) == "closed 0"
    assert run_job(app, job) is None  # the same slot, again: nothing
    clock.advance(minutes=30)
    assert run_job(app, job) is None
    clock.advance(minutes=30)  # 13:05
    assert run_job(app, job) == "closed 0"
    runs = db.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [run.slot_at for run in runs] == [MONDAY_NOON + timedelta(minutes=5),
                                            MONDAY_NOON + timedelta(minutes=65)]
    assert all(run.finished_at and not run.failed for run in runs)


def test_missed_slots_coalesce_into_one_run(app, db):
    clock = app.extensions["clock"] = FixedClock(MONDAY_NOON)
    job = _job(app, "send-notifications")
    with app.app_context():
        ensure_rows(db, [job], clock())
    clock.advance(hours=3)  # no worker ran for three hours
    assert run_job(app, job) is not None
    assert run_job(app, job) is None
    db.expire_all()
    assert db.get(ScheduledJob, job.name).next_run_at == next_slot(job, clock())
    assert db.scalar(select(func.count()).select_from(JobRun)) == 1


def test_a_deadline_is_escalated_once(app, db, make_user, file_request):
    clock = app.extensions["clock"] = FixedClock(MONDAY_NOON)
    director = make_user(Role.DIRECTOR)
    resident = make_user(Role.RESIDENT)
    job = _job(app, "request-deadlines")
    with app.app_context():
        item = file_request(resident, urgent=True, many_households=True)  # P1: 2 h to respond
        db.commit()
        ensure_rows(db, [job], clock())
    for _ in range(16):  # four hours of quarter-hour slots
        clock.advance(minutes=15)
        run_job(app, job)
    told = db.scalars(select(Notification).where(Notification.user_id == director.id)).all()
    assert len(told) == 1  # the response deadline passed once (resolution is at 24 h)
    assert {n.params["ref"] for n in told} == {item.ref}


def _seed_outbox(db, user, count):
    for number in range(count):
        db.add(OutboxMessage(user_id=user.id, message="Request %(ref)s has a new reply.",
                             params={"ref": f"R-TEST-{number:04d}"}))
    db.commit()


def _start_worker(app, log_path):
    env = {**os.environ, "PORTAL_DATABASE_URL": app.config["DATABASE_URL"],
           "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
           "PORTAL_DATA_KEY": app.config["DATA_KEY"],
           "PORTAL_UPLOAD_DIR": app.config["UPLOAD_DIR"],
           "PORTAL_NOTIFICATION_SENDER": "log"}
    handle = open(log_path, "wb")  # noqa: SIM115 - closed after the process ends
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "portal",
                                "worker"], cwd=ROOT, env=env, stdout=handle,
                               stderr=subprocess.STDOUT)
    return process, handle


def test_two_worker_processes_send_each_notification_once_and_run_each_job_once(
        app, db, make_user, tmp_path):
    user = make_user(Role.RESIDENT)
    _seed_outbox(db, user, 400)
    jobs = registry(app).sorted("jobs")
    due = datetime.now(UTC) - timedelta(minutes=10)  # every job's slot is due now
    with app.app_context():
        ensure_rows(db, jobs, due)
    db.execute(ScheduledJob.__table__.update().values(next_run_at=due))
    db.commit()

    workers = [_start_worker(app, tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            db.expire_all()
            waiting = db.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.sent_at.is_(None)))
            finished = db.scalar(select(func.count()).select_from(JobRun)
                                 .where(JobRun.finished_at.is_not(None), JobRun.slot_at == due))
            if waiting == 0 and finished == len(jobs):
                break
            time.sleep(0.5)
        time.sleep(2)  # give a double run every chance to show itself
    finally:
        for process, handle in workers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            handle.close()
    logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in (1, 2))
    sent = re.findall(r"notification for user \d+: .*?(R-TEST-\d{4})", logs)
    assert len(sent) == 400 and len(set(sent)) == 400, "a notification was sent twice"
    assert db.scalar(select(func.max(OutboxMessage.attempts))) == 1
    runs = db.execute(select(JobRun.job, JobRun.slot_at)).all()
    assert len(runs) == len(set(runs))  # no slot ran twice
    assert sorted(job for job, slot in runs if slot == due) == sorted(j.name for j in jobs)
    assert "Traceback" not in logs
