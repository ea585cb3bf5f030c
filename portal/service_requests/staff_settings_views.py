"""Request settings in the back office: the categories (and the team each goes to) and the
reply templates, at /staff/requests/settings."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.permissions import deny_unless, staff_blueprint
from portal.accounts.roles import Permission, Role
from portal.errors import DomainError
from portal.extensions import db
from portal.service_requests import category_name, service
from portal.service_requests.forms import CategoryForm, TemplateForm
from portal.service_requests.models import ReplyTemplate, RequestCategory
from portal.web.errors import form_view
from portal.web.render import refused, render

bp = staff_blueprint("request_settings", __name__, "/staff/requests/settings")


@bp.before_request
def require_settings_permission():
    deny_unless(Permission.MANAGE_REQUEST_SETTINGS)


SETTINGS_PAGE = "service_requests/staff/settings.html"


def _settings_context(category_form=None, template_form=None) -> dict:
    category_form = category_form or CategoryForm(formdata=None, prefix="new")
    category_form.role.choices = _role_choices()
    categories = service.categories(db.session, active_only=False)
    template_form = template_form or TemplateForm(formdata=None, prefix="tpl")
    _template_choices(template_form, categories)
    return dict(categories=categories,
                templates=service.reply_templates(db.session), category_form=category_form,
                template_form=template_form, stage_labels=service.TEMPLATE_STAGE_LABELS,
                roles={r.value: r.label for r in Role})


def _template_choices(form, categories) -> None:
    form.category.choices = [SelectChoice("", _("Any category")),
                             *(SelectChoice(str(c.id), category_name(c)) for c in categories)]
    form.stage.choices = [SelectChoice("", _("At any stage")),
                          *(SelectChoice(key, label)
                            for key, label in service.TEMPLATE_STAGE_LABELS.items())]


def _settings_page(category_form=None, template_form=None, status=200):
    return render(SETTINGS_PAGE, status=status,
                  **_settings_context(category_form, template_form))


def _role_choices():
    return Role.choices(service.ROUTING_ROLES)


@bp.get("")
def settings():
    return _settings_page()


@bp.post("/categories")
@bp.post("/categories/<int:category_id>")
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
            return redirect(url_for("request_settings.settings"), 303)
        return _settings_page(category_form=form, status=422)
    try:
        service.save_category(db.session, category, name_zh=form.name_zh.data,
                              name_en=form.name_en.data, role=form.role.data,
                              position=form.position.data or 100, active=form.active.data,
                              actor=current_user)
    except DomainError as error:
        return refused(error, SETTINGS_PAGE, form=form, **_settings_context(category_form=form))
    db.session.commit()
    flash(_("Category saved."), "success")
    return redirect(url_for("request_settings.settings"), 303)


@bp.post("/templates")
@bp.post("/templates/<int:template_id>")
@form_view
def save_template(template_id=None):
    template = None
    if template_id is not None:
        template = db.session.get(ReplyTemplate, template_id) or abort(404)
    form = TemplateForm(prefix="tpl" if template is None else f"t{template_id}")
    _template_choices(form, service.categories(db.session, active_only=False))
    if not form.validate_on_submit():
        if template is not None:
            flash(_("Not saved: a template needs a title and a text, and a category and a "
                    "stage from the lists."), "error")
            return redirect(url_for("request_settings.settings"), 303)
        return _settings_page(template_form=form, status=422)
    service.save_template(db.session, template, title=form.title.data, body=form.body.data,
                          category_id=int(form.category.data) if form.category.data else None,
                          stage=form.stage.data or None, actor=current_user)
    db.session.commit()
    flash(_("Reply template saved."), "success")
    return redirect(url_for("request_settings.settings"), 303)
