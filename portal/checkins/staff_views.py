"""Safety check-ins in the back office: /staff/checkins.

Following one (FOLLOW_CHECKINS) shows a grid worker the people of their own grid only: anyone
else's entry is 404. Opening and closing, and every grid, need MANAGE_CHECKINS (403 without).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.care.service import grid_workers, names_of
from portal.checkins import listing, service
from portal.checkins.forms import AnswerForm, OpenForm
from portal.clock import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.notices.service import get_alert
from portal.web.errors import form_view, register_busy_handlers
from portal.web.forms import ActionForm
from portal.web.inputs import int_arg
from portal.web.pagination import page_number, paginate
from portal.web.render import refused, render, wants_fragment

bp = staff_blueprint("staff_checkins", __name__, "/staff/checkins")
register_busy_handlers(bp)
INDEX_PAGE = "checkins/staff/index.html"
LIVE_PAGE, LIVE_FRAGMENT = "checkins/staff/live.html", "checkins/staff/_live.html"
RECORD_PAGE = "checkins/staff/record.html"


@bp.before_request
def require_permission():
    deny_unless(Permission.FOLLOW_CHECKINS)


def _index(form, status=200):
    page = paginate(db.session, service.checkins_statement(), page_number(), per_page=20)
    manager = current_user.can(Permission.MANAGE_CHECKINS)
    alerts = service.openable_alerts(db.session, utcnow()) if manager else []
    form.alert_id.choices = [(alert.id, f"{alert.level_enum.label} · {alert.text}")
                             for alert in alerts]
    return render(INDEX_PAGE, status=status, page=page, form=form, alerts=alerts,
                  manager=manager)


@bp.get("")
def index():
    return _index(OpenForm(formdata=None))


def open_for(alert, now):
    """Open a check-in for ``alert``; the warnings' form calls it too."""
    return service.open_checkin(
        db.session, alert, now, actor=current_user,
        link=lambda checkin: url_for("checkins.answer", checkin_id=checkin.id))


@bp.post("")
@form_view
def open_checkin():
    deny_unless(Permission.MANAGE_CHECKINS)
    form = OpenForm()
    if not form.validate_on_submit():
        return _index(form, status=422)
    try:
        alert = get_alert(db.session, form.alert_id.data) if form.alert_id.data else None
        checkin = open_for(alert, utcnow())
    except DomainError as error:
        db.session.rollback()
        form.add_error(error.message, error.field)
        return _index(form, status=error.status)
    db.session.commit()
    flash(_("Check-in opened. Every resident has been sent a message with a link to answer."),
          "success")
    return redirect(url_for(".live", checkin_id=checkin.id), 303)


def _checkin_or_404(checkin_id: int):
    checkin = service.get_checkin(db.session, checkin_id)
    if checkin is None:
        abort(404)
    return checkin


@bp.get("/<int:checkin_id>")
def live(checkin_id):
    checkin = _checkin_or_404(checkin_id)
    manager = service.sees_every_grid(current_user)
    worker_id = int_arg("worker", minimum=1) if manager else None
    building = (request.args.get("building") or "").strip()[:20] or None
    include_safe = int_arg("safe", 0, maximum=1) == 1
    summary = listing.summary(db.session, checkin.id, current_user, worker_id=worker_id)
    page = listing.live_page(db.session, checkin.id, current_user, request.args,
                             building=building, worker_id=worker_id, include_safe=include_safe)
    recorders = names_of(db.session, {entry.recorded_by_id for entry in page.items}
                         | {entry.grid_worker_id for entry in page.items})
    if not wants_fragment():  # the page's own poll shows the same list again: not a new look
        service.opened_list(db.session, current_user, checkin,
                            f"{building or ''} {worker_id or ''}".strip())
        db.session.commit()
    return render(LIVE_PAGE, LIVE_FRAGMENT, checkin=checkin, summary=summary, page=page,
                  names=recorders, manager=manager, building=building, worker_id=worker_id,
                  include_safe=include_safe,
                  workers=grid_workers(db.session) if manager and not wants_fragment() else [])


@bp.post("/<int:checkin_id>/close")
def close(checkin_id):
    deny_unless(Permission.MANAGE_CHECKINS)
    checkin = _checkin_or_404(checkin_id)
    if ActionForm().validate_on_submit():
        service.close_checkin(checkin, utcnow(), session=db.session, actor=current_user)
        db.session.commit()
        flash(_("Check-in closed. Residents can no longer answer it."), "success")
    return redirect(url_for(".live", checkin_id=checkin.id), 303)


def _entry_or_404(checkin, entry_id: int):
    entry = service.get_entry(db.session, current_user, checkin.id, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.route("/<int:checkin_id>/entries/<int:entry_id>", methods=["GET", "POST"])
@form_view
def record(checkin_id, entry_id):
    """Record the answer of someone a worker phoned or visited."""
    checkin = _checkin_or_404(checkin_id)
    entry = _entry_or_404(checkin, entry_id)
    if request.method == "GET":
        form = AnswerForm(formdata=None)
        if entry.status == "help":
            form.kind.data, form.people.data, form.note.data = (
                entry.kind, str(entry.people or 1), entry.note)
        return render(RECORD_PAGE, checkin=checkin, entry=entry, form=form)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render(RECORD_PAGE, status=422, checkin=checkin, entry=entry, form=form)
    try:
        service.record_for(db.session, checkin, entry, utcnow(), actor=current_user,
                           **form.values(form.answer.data))
    except DomainError as error:
        db.session.rollback()
        return refused(error, RECORD_PAGE, form=form, checkin=checkin,
                       entry=_entry_or_404(checkin, entry_id))
    db.session.commit()
    flash(_("Recorded for %(name)s.", name=entry.name), "success")
    return redirect(url_for(".live", checkin_id=checkin.id), 303)
