"""The back office: /staff/queue, /staff/requests/<ref>, request settings."""

from __future__ import annotations

import csv
import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import deny_unless, permission_required, staff_blueprint
from portal.accounts.roles import Permission, Role
from portal.clock import utcnow
from portal.extensions import db
from portal.satisfaction import Level
from portal.service_requests import category_name, service
from portal.service_requests.forms import (
    AssignForm,
    CategoryForm,
    EditForm,
    MergeForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    TemplateForm,
)
from portal.service_requests.models import ReplyTemplate, RequestCategory
from portal.web.errors import form_view
from portal.web.forms import ActionForm
from portal.web.pagination import page_number, paginate
from portal.web.render import render, wants_fragment

bp = staff_blueprint("staff_requests", __name__, "/staff")


@bp.before_request
def require_triage():
    deny_unless(Permission.TRIAGE_REQUESTS)


def _filters():
    filters = service.QueueFilters.from_args(request.args)
    if not current_user.can(Permission.ASSIGN_REQUESTS):
        filters.team = ""  # front-line staff see their own team's work
    return filters


@bp.get("/queue")
def queue():
    now = utcnow()
    filters = _filters()
    statement = service.queue_statement(current_user, filters, now)
    page = paginate(db.session, service.queue_page_statement(statement), page_number(),
                    per_page=25)
    staff = service.triage_staff(db.session) if current_user.can(
        Permission.ASSIGN_REQUESTS) else []
    return render("service_requests/staff/queue.html", "service_requests/staff/_queue.html",
                  page=page, filters=filters, now=now, staff=staff,
                  categories=service.categories(db.session, active_only=False),
                  is_overdue=service.is_overdue, teams=service.ROUTING_ROLES,
                  statuses=service.STATUSES, action=ActionForm(formdata=None))


CSV_COLUMNS = ("reference", "category", "building", "created", "accepted", "resolved", "closed",
               "minutes_to_first_response", "status", "assignee", "rating")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: anything that starts a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@bp.get("/queue.csv")
def export():
    filters = _filters()
    statement = service.queue_statement(current_user, filters, utcnow())
    english = not str(get_locale()).startswith("zh")
    # The body streams after the request's own session is closed: it gets one of its own.
    make_session = current_app.extensions["db_sessionmaker"]

    def iso(moment):
        return moment.astimezone(service.SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        session = make_session()
        try:
            for row, minutes in service.export_rows(session, statement):
                writer.writerow([csv_cell(value) for value in (
                    row.ref, row.name_en if english else row.name_zh, row.building,
                    iso(row.created_at), iso(row.accepted_at), iso(row.resolved_at),
                    iso(row.closed_at), minutes, row.status, row.name, row.rating)])
                if buffer.tell() > 16_384:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        finally:
            session.close()
        yield buffer.getvalue()

    name = f"requests-{utcnow().astimezone(service.SHANGHAI):%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/queue/bulk")
def bulk():
    if not ActionForm().validate_on_submit():
        abort(400)
    refs = request.form.getlist("refs")
    action = request.form.get("action")
    back = url_for("staff_requests.queue", **request.args)
    if not refs or action not in ("accept", "assign"):
        flash(_("Tick at least one request, then choose what to do."), "error")
        return redirect(back, 303)
    assignee = None
    if action == "assign":
        assignee = _assignee(request.form.get("assignee", ""))
        if assignee is False:
            flash(_("Choose who to assign them to."), "error")
            return redirect(back, 303)
    done, refused = service.bulk(db.session, current_user, refs, action, assignee)
    db.session.commit()
    flash(_("%(done)d request(s) updated.", done=done), "success")
    if refused:
        flash(_("Not changed (not allowed in their status): %(refs)s", refs=", ".join(refused)),
              "error")
    return redirect(back, 303)


def _assignee(value: str):
    """The chosen staff member, None for "nobody", or False when the choice is not valid."""
    if value == "me":
        return current_user._get_current_object()
    if value == "none":
        return None
    from portal.accounts.models import User

    user = db.session.get(User, int(value)) if value.isdigit() else None
    return user or False


# --- one request ----------------------------------------------------------------------------

def _request_or_404(ref):
    item = service.get_for_staff(db.session, current_user, ref)
    if item is None:
        abort(404)
    return item


def _forms(item, **given):
    status_form = StatusForm(formdata=None)
    status_form.status.choices = [SelectChoice(s, service.STATUS_LABELS[s]) for s in
                                  service.allowed_next(item.status, service.STAFF)
                                  if s != service.DUPLICATE]
    assign_form = AssignForm(formdata=None)
    assign_form.assignee.choices = _assign_choices()
    edit_form = EditForm(formdata=None, category=item.category_id, priority=item.priority)
    _edit_choices(edit_form)
    reply_form = ReplyForm(formdata=None, prefix="reply")
    template_id = request.args.get("template", "")
    if template_id.isdigit():
        template = db.session.get(ReplyTemplate, int(template_id))
        if template is not None:
            reply_form.body.data = template.body
    forms = {"status_form": status_form, "assign_form": assign_form, "edit_form": edit_form,
             "reply_form": reply_form, "note_form": NoteForm(formdata=None, prefix="note"),
             "merge_form": MergeForm(formdata=None)}
    for name, form in given.items():
        if name == "status_form":
            form.status.choices = status_form.status.choices
        elif name == "assign_form":
            form.assignee.choices = assign_form.assignee.choices
        elif name == "edit_form":
            _edit_choices(form)
        forms[name] = form
    return forms


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


def _detail(item, status=200, **forms):
    now = utcnow()
    return render("service_requests/staff/detail.html", "service_requests/staff/_work.html",
                  status=status, item=item, now=now, overdue=service.is_overdue(item, now),
                  events=service.timeline(db.session, item.id, public_only=False),
                  photos=service.photos(db.session, item.id),
                  templates=service.reply_templates(db.session),
                  followers=len(service.follower_ids(db.session, item.id)),
                  action=ActionForm(formdata=None), partial=wants_fragment(), levels=Level,
                  **_forms(item, **forms))


def _done(item, message):
    db.session.commit()
    flash(message, "success")
    if wants_fragment():
        return _detail(item)
    return redirect(url_for("staff_requests.detail", ref=item.ref), 303)


def _refused(item, error, **forms):
    db.session.rollback()
    item = _request_or_404(item.ref)
    flash(str(error.message), "error")
    return _detail(item, status=422, **forms)


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
    except service.RequestError as error:
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
    assignee = _assignee(form.assignee.data or "none")
    if assignee is False:
        form.assignee.errors.append(_("Choose a staff member."))
        return _detail(item, status=422, assign_form=form)
    try:
        service.assign(db.session, item, current_user, assignee)
    except service.RequestError as error:
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
    try:
        service.transition(db.session, item, form.status.data, current_user,
                           note=form.note.data or None,
                           transferred_to=form.transferred_to.data or None)
    except service.RequestError as error:
        return _refused(item, error, status_form=form)
    return _done(item, _("Status changed to “%(status)s”.",
                         status=service.STATUS_LABELS[form.status.data]))


@bp.post("/requests/<ref>/reply")
@form_view
def reply(ref):
    item = _request_or_404(ref)
    form = ReplyForm(prefix="reply")
    if not form.validate_on_submit():
        return _detail(item, status=422, reply_form=form)
    service.reply(db.session, item, current_user, form.body.data, public=True)
    return _done(item, _("Reply sent to the resident."))


@bp.post("/requests/<ref>/note")
@form_view
def note(ref):
    item = _request_or_404(ref)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _detail(item, status=422, note_form=form)
    service.reply(db.session, item, current_user, form.body.data, public=False)
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
    except service.RequestError as error:
        return _refused(item, error, edit_form=form)
    db.session.commit()
    flash(_("Category and priority saved."), "success")
    # The new category may route it to another team, out of this person's sight.
    if service.get_for_staff(db.session, current_user, ref) is None:
        if wants_fragment():
            return "", 204, {"HX-Redirect": url_for("staff_requests.queue")}
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
        service.merge(db.session, item, target, current_user)
    except service.RequestError as error:
        return _refused(item, error, merge_form=form)
    return _done(item, _("Merged into %(target)s; its followers moved over.",
                         target=target.ref))


# --- settings: categories and reply templates ------------------------------------------------

def _settings_page(category_form=None, template_form=None, status=200):
    category_form = category_form or CategoryForm(formdata=None, prefix="new")
    category_form.role.choices = _role_choices()
    return render("service_requests/staff/settings.html", status=status,
                  categories=service.categories(db.session, active_only=False),
                  templates=service.reply_templates(db.session), category_form=category_form,
                  template_form=template_form or TemplateForm(formdata=None, prefix="tpl"),
                  roles={r.value: r.label for r in Role})


def _role_choices():
    return [SelectChoice(role.value, role.label) for role in service.ROUTING_ROLES]


@bp.get("/requests/settings")
@permission_required(Permission.MANAGE_REQUEST_SETTINGS)
def settings():
    return _settings_page()


@bp.post("/requests/settings/categories")
@bp.post("/requests/settings/categories/<int:category_id>")
@permission_required(Permission.MANAGE_REQUEST_SETTINGS)
@form_view
def save_category(category_id=None):
    category = None
    if category_id is not None:
        category = db.session.get(RequestCategory, category_id) or abort(404)
    form = CategoryForm(prefix="new" if category is None else f"c{category_id}")
    form.role.choices = _role_choices()
    if not form.validate_on_submit():
        if category is not None:  # the inline edit forms are plain: say what to fix
            flash(_("Not saved: give the category a name in both languages."), "error")
            return redirect(url_for("staff_requests.settings"), 303)
        return _settings_page(category_form=form, status=422)
    try:
        service.save_category(db.session, category, name_zh=form.name_zh.data,
                              name_en=form.name_en.data, role=form.role.data,
                              position=form.position.data or 100, active=form.active.data)
    except service.RequestError as error:
        form.role.errors.append(str(error.message))
        return _settings_page(category_form=form, status=422)
    db.session.commit()
    flash(_("Category saved."), "success")
    return redirect(url_for("staff_requests.settings"), 303)


@bp.post("/requests/settings/templates")
@bp.post("/requests/settings/templates/<int:template_id>")
@permission_required(Permission.MANAGE_REQUEST_SETTINGS)
@form_view
def save_template(template_id=None):
    template = None
    if template_id is not None:
        template = db.session.get(ReplyTemplate, template_id) or abort(404)
    form = TemplateForm(prefix="tpl" if template is None else f"t{template_id}")
    if not form.validate_on_submit():
        if template is not None:
            flash(_("Not saved: a template needs a title and a text."), "error")
            return redirect(url_for("staff_requests.settings"), 303)
        return _settings_page(template_form=form, status=422)
    service.save_template(db.session, template, title=form.title.data, body=form.body.data)
    db.session.commit()
    flash(_("Reply template saved."), "success")
    return redirect(url_for("staff_requests.settings"), 303)
