"""Back office: /staff/figures (page and JSON), the monthly report and its download, the
stored reports and the follow-up of bad ratings. Views parse, call the service, render."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import User
from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.audit.service import record as audit
from portal.care import visits
from portal.clock import today, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.figures import followups, periods, report, service
from portal.figures.forms import FollowUpForm
from portal.figures.requests import FIGURES, RATES, queue_args
from portal.service_requests import service as requests
from portal.web.exports import export_response
from portal.web.render import refused, render, render_form_errors

bp = staff_blueprint("staff_figures", __name__, "/staff")
TEAMS = {role.value for role in requests.ROUTING_ROLES}


@bp.before_request
def require_figures():
    deny_unless(Permission.VIEW_FIGURES)


def _choices() -> dict:
    return {"categories": requests.categories(db.session, active_only=False),
            "teams": requests.ROUTING_ROLES, "staff": requests.triage_staff(db.session),
            "months": service.month_choices(utcnow())}


def _period_or_error(now):
    try:
        return periods.period_from_args(request.args, now), None
    except DomainError as error:
        return periods.this_month(now), error


@bp.get("/figures")
def figures():
    now = utcnow()
    period, error = _period_or_error(now)
    narrowing = periods.narrowing_from_args(request.args, TEAMS)
    data, stored = service.figures_for(db.session, period, narrowing, now)

    def figure_link(which: str, by: str | None = None, key=None) -> str | None:
        """The queue listing the requests behind one figure (a name of the queue's)."""
        args = queue_args(period, narrowing, which, by, key)
        return None if args is None else url_for("staff_requests.queue", **args)

    context = dict(data=data, stored=stored, period=period, narrowing=narrowing, rates=RATES,
                   breakdowns=service.BREAKDOWNS, figure_link=figure_link,
                   figures=FIGURES,
                   follow_ups=followups.open_items(db.session), charts=report.trend_charts(data),
                   care_coverage=visits.coverage(db.session, today()),
                   args=request.args, **_choices())
    if error is not None:
        return refused(error, "figures/staff/figures.html", **context)
    return render("figures/staff/figures.html", **context)


@bp.get("/figures.json")
def figures_json():
    now = utcnow()
    try:
        period = periods.period_from_args(request.args, now)
    except DomainError as error:
        return jsonify({"error": str(error.message), "field": error.field}), 422
    narrowing = periods.narrowing_from_args(request.args, TEAMS)
    data, stored = service.figures_for(db.session, period, narrowing, now)
    response = jsonify({**data, "stored_at": stored.created_at.isoformat() if stored else None})
    response.headers["Cache-Control"] = "no-store"
    return response


def _report_data(month: str):
    from portal.service_requests.service import Narrowing

    period = periods.month_period(month)
    data, stored = service.figures_for(db.session, period, Narrowing(), utcnow())
    return period, data, stored


@bp.get("/figures/report")
def monthly_report():
    month = request.args.get("month") or service.month_choices(utcnow())[1]
    try:
        period, data, stored = _report_data(month)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".reports"))
    return render("figures/staff/report.html", data=data, period=period, stored=stored,
                  rates=RATES, breakdowns=service.BREAKDOWNS, charts=report.trend_charts(data))


@bp.get("/figures/report.<any(csv, xlsx):fmt>")
def monthly_report_export(fmt):
    month = request.args.get("month") or service.month_choices(utcnow())[1]
    try:
        period, data, _stored = _report_data(month)
    except DomainError:
        abort(404)
    audit(db.session, current_user, "figures", "export", month, fmt)
    db.session.commit()
    rows = report.rows(data)
    return export_response(f"report-{month}", report.HEADERS, lambda session: rows, fmt,
                           title=_("Work report %(month)s", month=month))


@bp.get("/figures/reports")
def reports():
    return render("figures/staff/reports.html", reports=service.stored_reports(db.session),
                  months=service.month_choices(utcnow()))


def _follow_up_or_404(item_id: int):
    item = followups.get(db.session, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/figures/follow-ups/<int:item_id>", methods=["GET", "POST"])
def follow_up(item_id):
    item = _follow_up_or_404(item_id)
    form = FollowUpForm()
    page = "figures/staff/follow_up.html"
    done_by = db.session.get(User, item.done_by_id) if item.done_by_id else None
    if request.method == "GET" or item.done_at is not None:
        return render(page, item=item, form=form, done_by=done_by)
    if not form.validate_on_submit():
        return render_form_errors(page, item=item, form=form, done_by=done_by)
    try:
        followups.record(db.session, item, current_user, method=form.method.data,
                         outcome=form.outcome.data or "", fix_plan=form.fix_plan.data or "",
                         fix_by=form.fix_by.data, view_changed=bool(form.view_changed.data),
                         now=utcnow())
    except DomainError as error:
        return refused(error, page, form=form, item=item, done_by=done_by)
    db.session.commit()
    flash(_("Follow-up recorded."), "success")
    return redirect(url_for(".figures", _anchor="follow-ups"))
