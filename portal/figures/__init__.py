"""The director's figures: the 三率 dashboard, the monthly report and its snapshots, and the
follow-up of bad ratings."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.accounts.roles import Permission
from portal.registry import AuditAction, Job, StaffLink, registry
from portal.satisfaction import Level


def store_last_month(session, since=None, now=None) -> str:
    """The worker's job on the 1st: store the month just ended (once) and tell the director."""
    from portal.clock import utcnow
    from portal.figures import service

    with current_app.test_request_context():  # labels in the default language
        report = service.snapshot_last_month(session, now or utcnow())
    return f"Stored the report for {report.month}." if report else "Nothing to store."


def report_overdue_follow_ups(session, since=None, now=None) -> str:
    """The worker's daily job: tell the director about follow-ups past their date."""
    from portal.clock import utcnow
    from portal.figures import followups

    return f"{followups.notify_overdue(session, now or utcnow())} overdue follow-up(s) reported."


@click.command("figures-monthly")
@with_appcontext
def monthly_command():
    """Store last month's report (once) and tell the director (the worker runs it on the 1st)."""
    from portal.extensions import db

    click.echo(store_last_month(db.session))
    db.session.commit()


@click.command("follow-ups-overdue")
@with_appcontext
def overdue_command():
    """Tell the director about overdue follow-ups of bad ratings (the worker runs it daily)."""
    from portal.extensions import db

    click.echo(report_overdue_follow_ups(db.session))
    db.session.commit()


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def duration(minutes) -> str:
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if hours >= 48:
        return gettext("%(days).1f days", days=minutes / 1440)
    if hours:
        return gettext("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    return gettext("%(minutes)d min", minutes=rest)


def init_app(app: Flask) -> None:
    from portal.figures import followups, staff_views

    for key, value in followups.CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(staff_views.bp)
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.globals["rating_label"] = lambda level: (
        Level(level).label if level in Level._value2member_map_ else level)
    registry(app).add(
        StaffLink("staff_figures.figures", _l("Community figures"), Permission.VIEW_FIGURES,
                  order=5),
        AuditAction("figures", "follow_up", _l("Recorded the follow-up of a bad rating")),
        AuditAction("figures", "export", _l("Downloaded a monthly report")),
        monthly_command, overdue_command,
        Job("figures-monthly", "0 2 1 * *", store_last_month,
            "store last month's report and tell the director", order=50),
        Job("follow-ups-overdue", "0 9 * * *", report_overdue_follow_ups,
            "tell the director about overdue follow-ups of bad ratings", order=55),
    )
