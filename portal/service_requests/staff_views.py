"""The back office: /staff/queue and /staff/requests/<ref> (settings: staff_settings_views)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import make_response as htmx_response
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission
from portal.audit.service import record as audit_record
from portal.clock import to_local_input, today, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.satisfaction import Level
from portal.service_requests import category_name, service
from portal.service_requests.forms import (
    AssignForm,
    EditForm,
    MergeForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    StreetAnswerForm,
    StreetForm,
    UrgeForm,
)
from portal.service_requests.models import ReplyTemplate, RequestCategory
from portal.web.errors import form_view
from portal.web.exports import export_response
from portal.web.forms import ActionForm
from portal.web.inputs import bounded_int, int_arg
from portal.web.pagination import keyset_paginate
from portal.web.render import refused, render, wants_fragment

bp = staff_blueprint("staff_requests", __name__, "/staff")


@bp.before_request
def require_triage():
    deny_unless(Permission.TRIAGE_REQUESTS)


def _filters(categories=None):
    filters = service.QueueFilters.from_args(
        request.args, category_ids=None if categories is None else {c.id for c in categories},
        day=today())
    if not current_user.can(Permission.ASSIGN_REQUESTS):
        filters.team = ""  # front-line staff see their own team's work
    return filters


@bp.get("/queue")
def queue():
    now = utcnow()
    categories = service.categories(db.session, active_only=False)
    filters = _filters(categories)
    matches = service.text_search(db.session, filters)
    statement = service.queue_statement(current_user, filters, now,
                                        matches.ids if matches else None)
    page = keyset_paginate(db.session, statement, service.queue_order(filters), request.args,
                           per_page=25, options=service.QUEUE_ROW_OPTIONS)
    staff = service.triage_staff(db.session) if current_user.can(
        Permission.ASSIGN_REQUESTS) else []
    return render("service_requests/staff/queue.html", "service_requests/staff/_queue.html",
                  page=page, filters=filters, problems=[*filters.problems, *page.problems],
                  now=now, staff=staff, categories=categories,
                  is_overdue=service.is_overdue, next_deadline=service.next_deadline,
                  first_line=service.first_line,
                  deadline_order=service.queue_order(filters) is service.DEADLINE_ORDER,
                  teams=service.ROUTING_ROLES,
                  figure_labels=service.FIGURE_LABELS,
                  statuses=service.STATUSES, action=ActionForm(formdata=None),
                  templates=service.reply_templates(db.session),
                  back_with=service.back_with(db.session, current_user))


@bp.get("/queue.<any(csv, xlsx):fmt>")
def export(fmt):
    filters = _filters()
    matches = service.text_search(db.session, filters)
    now = utcnow()
    statement = service.queue_statement(current_user, filters, now,
                                        matches.ids if matches else None)
    english = not str(get_locale()).startswith("zh")
    audit_record(db.session, current_user, "requests", "export", "",
                 ", ".join(f"{key}={value}" for key, value in filters.as_args().items()))
    db.session.commit()
    return export_response("requests", service.EXPORT_HEADERS,
                           lambda session: service.export_rows(session, statement, now, english),
                           fmt, title=_("Requests"))


def assignee_from(value: str):
    """The chosen staff member, None for "nobody", or False when the choice is not valid."""
    if value == "me":
        return current_user._get_current_object()
    if value == "none":
        return None
    from portal.accounts.models import User

    user_id = bounded_int(value)
    user = db.session.get(User, user_id) if user_id else None
    return user or False


# --- one request ----------------------------------------------------------------------------

def _request_or_404(ref):
    item = service.get_for_staff(db.session, current_user, ref)
    if item is None:
        abort(404)
    return item


def _forms(item, **given):
    # The control starts on the status as it is, so pressing the button unchosen changes
    # nothing, and never on an ending the resident would see.
    status_form = StatusForm(formdata=None, status=item.status)
    status_form.status.choices = [
        SelectChoice(item.status, _("%(status)s (as it is now)",
                                    status=service.STATUS_LABELS[item.status])),
        *(SelectChoice(s, service.STATUS_LABELS[s]) for s in
          service.allowed_next(item.status, service.STAFF)
          if s not in (service.DUPLICATE, service.WITH_STREET))]
    if len(status_form.status.choices) == 1 or item.status == service.WITH_STREET:
        # (with the street office, its answer moves it on: the chasing panel)
        status_form.status.choices = []  # nothing staff can move it to: no control at all
    assign_form = AssignForm(formdata=None)
    assign_form.assignee.choices = _assign_choices()
    edit_form = EditForm(formdata=None, category=item.category_id, priority=item.priority)
    _edit_choices(edit_form)
    reply_form = ReplyForm(formdata=None, prefix="reply")
    template_id = int_arg("template")
    template = db.session.get(ReplyTemplate, template_id) if template_id else None
    if template is not None:
        reply_form.body.data = template.body
    forms = {"status_form": status_form, "assign_form": assign_form, "edit_form": edit_form,
             "reply_form": reply_form, "note_form": NoteForm(formdata=None, prefix="note"),
             "merge_form": MergeForm(formdata=None), **_chase_forms()}
    for name, form in given.items():
        if name == "status_form":
            form.status.choices = status_form.status.choices
        elif name == "assign_form":
            form.assignee.choices = assign_form.assignee.choices
        elif name == "edit_form":
            _edit_choices(form)
        forms[name] = form
    return forms


def _chase_forms() -> dict:
    """The empty forms of the chasing panel (staff_chase_views): an urge for tomorrow."""
    due = to_local_input(utcnow() + timedelta(days=1)).replace(minute=0, second=0,
                                                                microsecond=0)
    return {"urge_form": UrgeForm(formdata=None, prefix="urge", due_at=due),
            "street_form": StreetForm(formdata=None, prefix="street"),
            "answer_form": StreetAnswerForm(formdata=None, prefix="answer")}


def _assign_choices():
    choices = [SelectChoice("none", _("Nobody")), SelectChoice("me", _("Me"))]
    if current_user.can(Permission.ASSIGN_REQUESTS):
        choices += [SelectChoice(str(user.id), f"{user.name} · {user.role_enum.label}")
                    for user in service.triage_staff(db.session) if user.id != current_user.id]
    return choices


def _edit_choices(form):
    form.category.choices = [SelectChoice(c.id, category_name(c))
                             for c in service.categories(db.session, active_only=False)]
    form.priority.choices = [SelectChoice(p, label) for p, label in
                             service.PRIORITY_LABELS.items()]


DETAIL_PAGE = "service_requests/staff/detail.html"
WORK_FRAGMENT = "service_requests/staff/_work.html"


def _detail_context(item, confirming=None, merging=None, **forms) -> dict:
    """``confirming``: the label of the ending the status form asks to confirm; ``merging``:
    the request a merge asks to confirm joining."""
    now = utcnow()
    return dict(item=item, now=now, overdue=service.is_overdue(item, now), confirming=confirming,
                merging=merging,
                duplicates=service.likely_duplicates(db.session, current_user, item, now),
                events=service.timeline(db.session, item.id, public_only=False),
                photos=service.photos(db.session, item.id),
                templates=service.reply_templates(db.session, item),
                takes_on=_takes_on(item),
                followers=len(service.follower_ids(db.session, item.id)),
                action=ActionForm(formdata=None), partial=wants_fragment(),
                in_panel=_in_side_panel(), levels=Level,
                **_forms(item, **forms))


def _in_side_panel() -> bool:
    """An htmx request from the queue's page: the work area is its side panel, under the
    page's own heading."""
    current = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return wants_fragment() and current == url_for("staff_requests.queue")


def _takes_on(item) -> bool:
    """Whether the reply also claims and accepts it: an open request that is nobody's, or
    the viewer's own while still new (someone else's is answered, never taken over)."""
    return item.status in service.OPEN and (
        item.assignee_id is None or
        (item.assignee_id == current_user.id and item.status == service.SUBMITTED))


def _detail(item, status=200, confirming=None, merging=None, **forms):
    return render(DETAIL_PAGE, WORK_FRAGMENT, status=status,
                  **_detail_context(item, confirming, merging, **forms))


def _done(item, message):
    db.session.commit()
    flash(message, "success")
    if wants_fragment():
        return _detail(item)
    return redirect(url_for("staff_requests.detail", ref=item.ref), 303)


def _refused(item, error, **forms):
    """The request as it was, with what was refused said in the feedback; the forms keep
    what was typed."""
    db.session.rollback()
    item = _request_or_404(item.ref)
    return refused(error, DETAIL_PAGE, WORK_FRAGMENT, **_detail_context(item, **forms))


@bp.get("/requests/<ref>")
def detail(ref):
    return _detail(_request_or_404(ref))


@bp.post("/requests/<ref>/claim")
def claim(ref):
    item = _request_or_404(ref)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.assign(db.session, item, current_user, current_user)
    except DomainError as error:
        return _refused(item, error)
    return _done(item, _("You have taken %(ref)s.", ref=ref))


@bp.post("/requests/<ref>/assign")
@form_view
def assign(ref):
    item = _request_or_404(ref)
    form = AssignForm()
    form.assignee.choices = _assign_choices()
    if not form.validate_on_submit():
        return _detail(item, status=422, assign_form=form)
    assignee = assignee_from(form.assignee.data or "none")
    if assignee is False:
        form.assignee.errors.append(_("Choose a staff member."))
        return _detail(item, status=422, assign_form=form)
    try:
        service.assign(db.session, item, current_user, assignee)
    except DomainError as error:
        return _refused(item, error)
    return _done(item, _("Assignment saved."))


@bp.post("/requests/<ref>/status")
@form_view
def change_status(ref):
    item = _request_or_404(ref)
    form = StatusForm()
    form.status.choices = [SelectChoice(s, service.STATUS_LABELS[s]) for s in service.STATUSES]
    if not form.validate_on_submit():
        return _detail(item, status=422, status_form=form)
    target = form.status.data
    try:
        service.check_staff_change(item, target, form.note.data)
        if target in service.ENDING_BY_STAFF and form.confirmed.data != "yes":
            return _detail(item, confirming=service.STATUS_LABELS[target], status_form=form)
        service.transition(db.session, item, target, current_user,
                           note=form.note.data or None,
                           transferred_to=form.transferred_to.data or None)
    except DomainError as error:
        return _refused(item, error, status_form=form)
    return _done(item, _("Status changed to “%(status)s”.",
                         status=service.STATUS_LABELS[form.status.data]))


@bp.post("/requests/<ref>/reply")
@form_view
def reply(ref):
    return _reply(ref, take_on=False)


@bp.post("/requests/<ref>/take-and-reply")
@form_view
def take_and_reply(ref):
    return _reply(ref, take_on=True)


def _reply(ref, take_on: bool):
    """A public reply; ``take_on`` also claims and accepts the request, all or nothing."""
    item = _request_or_404(ref)
    form = ReplyForm(prefix="reply")
    if not form.validate_on_submit():
        return _detail(item, status=422, reply_form=form)
    try:
        if not take_on:
            service.reply(db.session, item, current_user, form.body.data, public=True)
            return _done(item, _("Reply sent to the resident."))
        service.take_and_reply(db.session, item, current_user, form.body.data)
    except DomainError as error:
        return _refused(item, error, reply_form=form)
    return _done(item, _("You have taken %(ref)s on, accepted it and replied to the resident.",
                         ref=ref))


@bp.post("/requests/<ref>/note")
@form_view
def note(ref):
    item = _request_or_404(ref)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _detail(item, status=422, note_form=form)
    try:
        service.reply(db.session, item, current_user, form.body.data, public=False)
    except DomainError as error:
        return _refused(item, error, note_form=form)
    return _done(item, _("Note saved. Residents don't see it."))


@bp.post("/requests/<ref>/edit")
@form_view
def edit(ref):
    item = _request_or_404(ref)
    form = EditForm()
    _edit_choices(form)
    if not form.validate_on_submit():
        return _detail(item, status=422, edit_form=form)
    category = db.session.get(RequestCategory, form.category.data)
    try:
        service.change_category_priority(db.session, item, current_user, category,
                                         form.priority.data)
    except DomainError as error:
        return _refused(item, error, edit_form=form)
    db.session.commit()
    flash(_("Category and priority saved."), "success")
    # The new category may route it to another team, out of this person's sight.
    if service.get_for_staff(db.session, current_user, ref) is None:
        if wants_fragment():
            return htmx_response("", 204, redirect=url_for("staff_requests.queue"))
        return redirect(url_for("staff_requests.queue"), 303)
    if wants_fragment():
        return _detail(item)
    return redirect(url_for("staff_requests.detail", ref=ref), 303)


@bp.post("/requests/<ref>/merge")
@form_view
def merge(ref):
    item = _request_or_404(ref)
    form = MergeForm()
    if not form.validate_on_submit():
        return _detail(item, status=422, merge_form=form)
    target = service.get_for_staff(db.session, current_user, form.target.data)
    if target is None:
        form.target.errors.append(_("No request with that reference."))
        return _detail(item, status=422, merge_form=form)
    try:
        service.check_merge(item, target)
        if form.confirmed.data != "yes":
            return _detail(item, merging=target, merge_form=form)
        service.merge(db.session, item, target, current_user)
    except DomainError as error:
        return _refused(item, error, merge_form=form)
    return _done(item, _("Merged into %(target)s; its followers moved over.",
                         target=target.ref))
