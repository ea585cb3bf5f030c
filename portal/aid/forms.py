"""Forms for the application sections and the staff actions."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.aid import idnumber, money
from portal.aid.service import AidKind, Housing, MemberStatus, Relation
from portal.web import typed
from portal.web.forms import Form, files_only


class IdNumber:
    """GB 11643: the cleaned number replaces what was typed, or a precise message."""

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(_l("Enter the ID number."))
        try:
            field.data = idnumber.validate(field.data)
        except idnumber.InvalidIdNumber as error:
            raise ValidationError(error.message) from None


class Yuan:
    def __init__(self, required=True):
        self.required = required

    def __call__(self, form, field):
        if not field.data:
            if self.required:
                raise ValidationError(_l("Enter an amount in yuan. Enter 0 if there is none."))
            field.fen = None
            return
        try:
            field.fen = money.parse_yuan(field.data)
        except money.InvalidAmount as error:
            raise ValidationError(error.message) from None


def _choices(mapping):
    return [SelectChoice(key, label) for key, label in mapping.items()]


class StartForm(Form):
    aid_type = RadioField(_l("What would you like to apply for?"), choices=[],
                          validators=[InputRequired(_l("Choose what to apply for."))])
    # Only asked for a type that has kinds (临时救助), so checked by hand rather than as a
    # required choice; kind_asked says the page showed the question.
    kind = RadioField(_l("For temporary assistance: what happened?"),
                      choices=AidKind.choices, validate_choice=False)
    kind_asked = HiddenField()
    start_key = HiddenField()
    with_kinds: frozenset[str] = frozenset()  # the codes of the types that ask it

    def validate_kind(self, field):
        if self.aid_type.data not in self.with_kinds:
            field.data = None
        elif field.data not in AidKind._value2member_map_:
            field.data = None
            if self.kind_asked.data:
                raise ValidationError(
                    _l("Choose whether this is an emergency or sudden spending."))

    def needs_kind(self) -> bool:
        """A type with kinds chosen, its question not answered yet."""
        return self.aid_type.data in self.with_kinds and self.kind.data is None


class ApplicantForm(Form):
    name = StringField(_l("Full name, as on the ID card"),
                       validators=[DataRequired(_l("Enter your full name.")), Length(max=40)])
    id_number = StringField(_l("ID number"), filters=[typed.id_number],
                            validators=[IdNumber()])
    phone = StringField(_l("Mobile phone number"), filters=[typed.phone_number],
                        validators=[DataRequired(_l("Enter a phone number we can call."))])
    back = HiddenField()

    def validate_phone(self, field):
        if not re.fullmatch(r"1\d{10}|0\d{9,11}", field.data or ""):
            raise ValidationError(_l("Enter an 11-digit mobile number, or a landline with its "
                                     "area code."))


class MemberForm(Form):
    member_name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                                      Length(max=40)])
    relation = SelectField(_l("Relation to you"), choices=Relation.choices)
    member_id_number = StringField(_l("ID number"), filters=[typed.id_number],
                                   validators=[IdNumber()])
    status = SelectField(_l("Status"), choices=MemberStatus.choices)


def income_defaults(application, back: str = "") -> dict:
    """What the income page shows before anything is typed: the amounts saved so far."""
    defaults = {"applicant_income": money.format_yuan(application.income_fen).replace(",", ""),
                "irregular": application.irregular_income,
                "circumstances": application.circumstances or "",
                "back": back}
    if application.aid_type.asks_assets:
        defaults.update(housing=application.housing,
                        vehicles="" if application.vehicles is None else str(application.vehicles),
                        savings=money.format_yuan(application.savings_fen).replace(",", ""))
    for member in application.members:
        defaults[f"member_{member.id}"] = money.format_yuan(member.income_fen).replace(",", "")
    return defaults


def income_form(application, formdata=None, **defaults):
    """The income page: one amount for the applicant and one per household member."""

    class IncomeForm(Form):
        applicant_income = StringField(_l("Your own monthly income, in yuan"),
                                       validators=[Yuan()])
        irregular = BooleanField(_l("Our income changes from month to month"))
        back = HiddenField()
        circumstances = TextAreaField(_l("Anything else we should know"),
                                      validators=[Optional(), Length(max=2000)])

    if application.aid_type.asks_assets:
        IncomeForm.housing = SelectField(_l("Your home"), choices=Housing.choices)
        IncomeForm.vehicles = StringField(_l("Number of cars or vans the household owns"),
                                          filters=[typed.digits_only])
        IncomeForm.savings = StringField(_l("Savings and deposits of the whole household, "
                                            "in yuan"), validators=[Yuan()])

        def validate_vehicles(form, field):
            if not (field.data or "").isdigit():
                raise ValidationError(_l("Enter the number of vehicles, or 0."))

        IncomeForm.validate_vehicles = validate_vehicles
    for member in application.members:
        setattr(IncomeForm, f"member_{member.id}",
                StringField(_l("%(name)s: monthly income, in yuan", name=member.name),
                            validators=[Yuan()]))
    return IncomeForm(formdata=formdata, **defaults)


class MaterialUploadForm(Form):
    files = MultipleFileField(_l("Add photos or PDF files"))


class ConsentForm(Form):
    processing = BooleanField(_l("I agree that the community office may process the personal "
                                 "information in this application, including sensitive "
                                 "information, to decide on it."))
    check = BooleanField(_l("I authorise the household financial check (授权核对) of our "
                            "income, property, savings and vehicles."))
    back = HiddenField()

    def validate_processing(self, field):
        if not field.data:
            raise ValidationError(_l("Tick the box to agree to the processing of your "
                                     "information. Without it we can't review the application."))

    def validate_check(self, field):
        if not field.data:
            raise ValidationError(_l("Tick the box to authorise the financial check. Without "
                                     "it we can't decide on the application."))


# --- Staff ---------------------------------------------------------------------------------------

class MaterialReviewForm(Form):
    verdict = RadioField(_l("This item"), choices=_choices({"ok": _l("OK"),
                                                     "missing": _l("Missing or unusable")}),
                         validators=[InputRequired(_l("Choose OK or missing."))])
    note = StringField(_l("Note for the resident"), validators=[Optional(), Length(max=300)])


class ReturnForm(Form):
    note = TextAreaField(_l("Anything else the resident must send"),
                         validators=[Optional(), Length(max=2000)])


class InvestigationForm(Form):
    investigator_1 = StringField(_l("First investigator"),
                                 validators=[DataRequired(_l("Name both investigators."))])
    investigator_2 = StringField(_l("Second investigator"),
                                 validators=[DataRequired(_l("Name both investigators."))])
    investigator_3 = StringField(_l("Third investigator"), validators=[Optional()])
    visited_on = DateField(_l("Date of the visit"),
                           validators=[InputRequired(_l("Enter the date of the visit."))])
    findings = TextAreaField(_l("Findings"),
                             validators=[DataRequired(_l("Write down what you found.")),
                                         Length(max=4000)])
    photos = MultipleFileField(_l("Photos"), filters=[files_only])
    kept = HiddenField()  # photos a refused try already uploaded


class NoticeForm(Form):
    proposed = StringField(_l("Proposed monthly amount, in yuan"), validators=[Yuan()])


class DecisionForm(Form):
    outcome = RadioField(_l("Decision"), choices=_choices({"approve": _l("Approve"),
                                                    "refuse": _l("Refuse")}),
                         validators=[InputRequired(_l("Choose approve or refuse."))])
    amount = StringField(_l("Monthly amount, in yuan"), validators=[Yuan(required=False)])
    start_month = StringField(_l("First month of payment (YYYY-MM)"), validators=[Optional()])
    review_months = SelectField(_l("Review"), choices=_choices({"12": _l("Every year"),
                                                         "6": _l("Every 6 months")}))
    reasons = TextAreaField(_l("Reasons for a refusal"), validators=[Optional(),
                                                                     Length(max=4000)])

    def validate_start_month(self, field):
        if field.data and not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", field.data):
            raise ValidationError(_l("Write the month as YYYY-MM, for example 2026-12."))


class PaymentForm(Form):
    month = StringField(_l("Month (YYYY-MM)"),
                        validators=[DataRequired(_l("Enter the month paid for."))])
    amount = StringField(_l("Amount paid, in yuan"), validators=[Yuan()])

    def validate_month(self, field):
        if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", field.data or ""):
            raise ValidationError(_l("Write the month as YYYY-MM, for example 2026-12."))


class ReviewForm(Form):
    review_on = DateField(_l("Review by"), validators=[InputRequired(_l("Enter a date."))])


class ExtendForm(Form):
    reason = TextAreaField(_l("Why more time is needed"),
                           validators=[DataRequired(_l("Write why more time is needed.")),
                                       Length(max=1000)])


class TypeForm(Form):
    """An aid type as staff edit it; the code is fixed once the type exists."""

    name_zh = StringField(_l("Name (Chinese)"),
                          validators=[DataRequired(_l("Enter the name in Chinese.")),
                                      Length(max=60)])
    name_en = StringField(_l("Name (English)"),
                          validators=[DataRequired(_l("Enter the name in English.")),
                                      Length(max=80)])
    description_zh = TextAreaField(_l("Description (Chinese)"),
                                   validators=[DataRequired(_l("Describe the aid in Chinese.")),
                                               Length(max=4000)])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[DataRequired(_l("Describe the aid in English.")),
                                               Length(max=4000)])
    eligibility_zh = TextAreaField(_l("Who can apply (Chinese)"),
                                   validators=[DataRequired(_l("Say who can apply, in Chinese.")),
                                               Length(max=4000)])
    eligibility_en = TextAreaField(_l("Who can apply (English)"),
                                   validators=[DataRequired(_l("Say who can apply, in English.")),
                                               Length(max=4000)])
    needs_notice = BooleanField(_l("A public notice (公示) comes before the decision"))
    asks_assets = BooleanField(_l("Ask about housing, vehicles and savings"))
    materials = TextAreaField(_l("Materials checklist"),
                              validators=[DataRequired(_l("List at least one item.")),
                                          Length(max=4000)])


class NewTypeForm(TypeForm):
    code = StringField(lazy_pgettext("aid type", "Code"),
                       filters=[lambda value: (value or "").strip().lower()],
                       validators=[DataRequired(_l("Enter a short code, for example "
                                                   "medical."))])

    def validate_code(self, field):
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,19}", field.data or "") or field.data == "new":
            raise ValidationError(_l("Use 2 to 20 small letters, digits or underscores, "
                                     "starting with a letter."))


class IdSearchForm(Form):
    """Sent by POST, so the number never lands in a URL, a log line or the browser history."""

    id_number = StringField(_l("Find by ID number"), filters=[typed.id_number],
                            validators=[IdNumber()])


class HolidayForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    is_workday = BooleanField(_l("This is a make-up working day"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=60)])

