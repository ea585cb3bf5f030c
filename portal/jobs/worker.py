"""``portal worker``: the long-running process that runs every periodic job on its schedule.

Built on APScheduler 3 (a BlockingScheduler with cron triggers in Asia/Shanghai). Why
APScheduler rather than huey: the jobs are periodic sweeps over the database, not a queue of
tasks; APScheduler needs no broker, so one machine runs it with nothing but SQLite and several
app servers need nothing beyond the PostgreSQL they already share. APScheduler 3's own job
stores must not be shared by two schedulers, so every worker keeps its schedule in memory and
the database decides who runs each slot (portal/jobs/runner.py: a row claimed with
``FOR UPDATE SKIP LOCKED``). Each worker may run every job; no slot runs twice.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime

from flask import Flask

from portal.clock import SHANGHAI
from portal.jobs.runner import ensure_rows, run_job, trigger, worker_name

log = logging.getLogger("portal.jobs")


def serve(app: Flask, jobs) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from portal.clock import utcnow
    from portal.extensions import db

    with app.app_context():
        ensure_rows(db.session, jobs, utcnow())
    scheduler = BlockingScheduler(timezone=SHANGHAI)
    start = datetime.now(UTC)
    for job in jobs:
        # First look at start-up: a slot missed while no worker ran is caught up at once.
        scheduler.add_job(run_job, trigger(job), args=[app, job], id=job.name, name=job.name,
                          coalesce=True, max_instances=1, misfire_grace_time=None,
                          next_run_time=start)

    def stop(signum, _frame):
        log.info("worker %s stopping (signal %s)", worker_name(), signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker %s running %d job(s): %s", worker_name(), len(jobs),
             ", ".join(f"{job.name} [{job.schedule}]" for job in jobs))
    scheduler.start()
