"""Periodic jobs: every area registers its own ``Job`` in the registry; ``portal worker`` runs
them on their schedules, once per slot however many servers run a worker."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.registry import registry


def _logging_to_stderr() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run every job that is due once, then exit.")
@click.option("--list", "list_jobs", is_flag=True, help="List the jobs and their schedules.")
@with_appcontext
def worker_command(once, list_jobs):
    """Run every periodic job on its schedule (outbox, auto-close, reminders, deadlines,
    monthly figures, file clean-up). Safe to run on every app server at once."""
    from portal.jobs import runner, worker

    jobs = registry().sorted("jobs")
    if list_jobs:
        for job in jobs:
            click.echo(f"{job.name:24} {job.schedule:16} {job.description}")
        return
    _logging_to_stderr()
    app = current_app._get_current_object()
    if once:
        for name, result in runner.run_due_once(app, jobs).items():
            click.echo(f"{name}: {result if result is not None else 'not due'}")
        return
    worker.serve(app, jobs)


KEEP_RUNS_DAYS = 30


def prune_runs(session, since=None, now=None) -> str:
    """The run log is for looking back a month, not for ever."""
    from datetime import timedelta

    from sqlalchemy import delete

    from portal.jobs.models import JobRun

    removed = session.execute(delete(JobRun).where(
        JobRun.started_at < now - timedelta(days=KEEP_RUNS_DAYS))).rowcount
    return f"removed {removed} old run(s)"


def init_app(app: Flask) -> None:
    from portal.registry import Job

    registry(app).add(worker_command,
                      Job("prune-job-runs", "45 3 * * *", prune_runs,
                          "forget job runs older than a month", order=95))
