"""Bulk actions from the queue (POST /staff/queue/bulk), on the queue's blueprint: the ticked
requests (or every one on the page), one action, and a result line per request."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.roles import Permission
from portal.extensions import db
from portal.service_requests import service
from portal.service_requests.models import ReplyTemplate
from portal.service_requests.staff_views import assignee_from, bp
from portal.web.forms import ActionForm
from portal.web.inputs import bounded_int
from portal.web.render import render


@bp.post("/queue/bulk")
def bulk():
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("staff_requests.queue", **request.args)
    action = request.form.get("action", "")
    refs = request.form.getlist("page_refs" if request.form.get("all_on_page") == "1"
                                else "refs")
    if action not in service.BULK_ACTIONS or not refs:
        flash(_("Tick at least one request, then choose what to do."), "error")
        return redirect(back, 303)
    choice = _choice(action)
    if isinstance(choice, str):
        flash(choice, "error")
        return redirect(back, 303)
    outcomes = service.bulk(db.session, current_user, refs, action, choice)
    db.session.commit()
    done = [outcome for outcome in outcomes if outcome.done]
    return render("service_requests/staff/bulk_result.html", outcomes=outcomes,
                  done=len(done), refused=len(outcomes) - len(done),
                  action_label=service.BULK_ACTIONS[action], back=back)


def _choice(action: str) -> service.BulkChoice | str:
    """What the action needs from the form, or the sentence saying what is missing. Giving
    work to someone else needs the assigning permission: without it, 403."""
    form = request.form
    if action == service.ASSIGN:
        assignee = assignee_from(form.get("assignee", ""))
        if assignee is False:
            return _("Choose who to assign them to.")
        if assignee is not None and assignee.id != current_user.id and \
                not current_user.can(Permission.ASSIGN_REQUESTS):
            abort(403)
        return service.BulkChoice(assignee=assignee)
    if action == service.PRIORITY:
        priority = bounded_int(form.get("priority", ""))
        if priority not in service.PRIORITY_LABELS:
            return _("Choose a priority.")
        return service.BulkChoice(priority=priority)
    if action == service.REPLY:
        template_id = bounded_int(form.get("template", ""))
        template = db.session.get(ReplyTemplate, template_id) if template_id else None
        if template is None:
            return _("Choose the template to reply with.")
        return service.BulkChoice(template=template)
    if action == service.MERGE:
        target = service.get_for_staff(db.session, current_user,
                                       form.get("target", "").strip().upper()[:20])
        if target is None:
            return _("Choose the request the others duplicate.")
        return service.BulkChoice(target=target)
    return service.BulkChoice()
