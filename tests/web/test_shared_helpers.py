"""The shared helpers the areas lean on: sheet titles, labelled choices, the CSRF field."""

from __future__ import annotations

import io

from flask import render_template_string
from openpyxl import load_workbook
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal.activities.models import Status
from portal.web.exports import export_response, sheet_title
from portal.web.forms import Form


def test_sheet_titles_excel_refuses_are_cleaned():
    assert sheet_title("问卷: 2026/12 [楼栋]*?\\") == "问卷 2026 12 楼栋"
    assert sheet_title("'quoted'") == "quoted"
    assert sheet_title("") == sheet_title("[]:*?/\\") == "Sheet1"
    assert len(sheet_title("很" * 50)) == 31


ENGLISH = {"Accept-Language": "en"}


def test_an_xlsx_export_with_any_title_opens(app):
    with app.test_request_context(headers=ENGLISH):
        response = export_response("x", ["标题"], lambda _session: [["=1+1"]], "xlsx",
                                   title="Survey: 1/2 [draft]? " + "长" * 40)
    workbook = load_workbook(io.BytesIO(b"".join(response.response)))
    sheet = workbook.active
    assert sheet.title.startswith("Survey 1 2 draft") and len(sheet.title) == 31
    assert [cell.value for cell in sheet[2]] == ["=1+1"]
    assert sheet["A2"].data_type == "s"  # text, never a formula


def test_labelled_enum_choices_are_select_choices(app):
    with app.test_request_context(headers=ENGLISH):
        choices = Status.choices()
        assert all(isinstance(choice, SelectChoice) for choice in choices)
        assert [choice.value for choice in choices] == ["draft", "published", "cancelled"]
        assert [str(choice.label) for choice in choices] == ["Draft", "Published", "Cancelled"]
    some = Status.choices([Status.PUBLISHED, Status.DRAFT])
    assert [choice.value for choice in some] == ["published", "draft"]


class _StatusForm(Form):
    status = SelectField(choices=Status.choices)


def test_a_form_takes_the_choices_as_they_come(app):
    with app.test_request_context(method="POST", data={"status": "published"},
                                  headers=ENGLISH):
        form = _StatusForm(meta={"csrf": False})
        assert form.validate(), form.errors
        assert form.status.data == "published"
        assert 'value="cancelled"' in form.status()


def test_csrf_field_with_csrf_switched_off(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        form = _StatusForm(prefix="new")
        assert render_template_string("{{ csrf_field(form) }}|{{ csrf_field() }}",
                                      form=form) == "|"


def test_csrf_field_names_a_prefixed_forms_token(app):
    with app.test_request_context():
        form = _StatusForm(prefix="new")
        html = render_template_string("{{ csrf_field(form) }}", form=form)
        assert 'name="new-csrf_token"' in html and 'value="' in html
