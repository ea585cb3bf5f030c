"""The care register in and out of Excel: one set of columns for the template, the export and
the import, so a downloaded register can be brought back in unchanged.

An upload is parsed into clean rows and an error for each bad one (row number, column, what
to fix); the good rows wait, encrypted, in ``care_import`` for the staff member who uploaded
them, until they confirm. Confirming adds the new people and updates the known ones (by the
natural key), so the same file twice adds nobody twice."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit.service import record
from portal.care import service
from portal.care.models import (
    CareCategory,
    CareImport,
    CareNeed,
    CarePerson,
    LegalBasis,
    RiskLevel,
    VisitFrequency,
)
from portal.errors import DomainError
from portal.web import typed

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
SEPARATORS = ("、", ",", "，", ";", "；")

# (key, header, required)
COLUMNS = (
    ("name", _l("Name"), True),
    ("phone", _l("Mobile phone number"), False),
    ("building", _l("Building"), True),
    ("unit", _l("Unit"), False),
    ("room", _l("Room"), False),
    ("categories", _l("Why they are in care"), True),
    ("needs", _l("What they need"), False),
    ("frequency", _l("How often to visit"), True),
    ("risk", _l("Risk level"), True),
    ("grid_worker", _l("Grid worker's mobile number"), False),
    ("contacts", _l("Emergency contacts"), False),
    ("health", _l("Health and disability (sensitive)"), False),
    ("legal_basis", _l("Why we may keep this file"), True),
    ("consent_on", _l("Date of the consent or decision"), True),
    ("notes", _l("Notes"), False),
)
HEADERS = [header for _key, header, _required in COLUMNS]
CHOICES = {"categories": CareCategory, "needs": CareNeed, "frequency": VisitFrequency,
           "risk": RiskLevel, "legal_basis": LegalBasis}


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)  # (row number, values) of the good rows
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _labels(kind) -> dict[str, str]:
    """Each member by its key and its label in Chinese and English."""
    found = {member.value: member.value for member in kind}
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            found.update({str(member.label).strip(): member.value for member in kind})
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value).replace("/", "-").replace(".", "-"))
    except ValueError:
        return None


def _split(text: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    return [part.strip() for part in text.split(SEPARATORS[0]) if part.strip()]


def _row(session: Session, cells: list, labels: dict, workers: dict) -> tuple[dict, list]:
    values, errors = {}, []
    by_key = dict(zip((key for key, _h, _r in COLUMNS), cells, strict=False))
    for key, header, required in COLUMNS:
        raw = by_key.get(key)
        text = _text(raw)
        if required and not text:
            errors.append((str(header), _("This column is required.")))
            continue
        if key in CHOICES:
            parts = _split(text) if key in ("categories", "needs") else ([text] if text else [])
            unknown = [part for part in parts if part not in labels[key]]
            if unknown:
                errors.append((str(header), _("Not one of the choices: %(value)s",
                                              value="、".join(unknown))))
                continue
            chosen = [labels[key][part] for part in parts]
            values[key] = chosen if key in ("categories", "needs") else chosen[0]
        elif key == "consent_on":
            day = _day(raw)
            if day is None:
                errors.append((str(header), _("Enter a date, for example 2026-12-01.")))
                continue
            values[key] = day.isoformat()
        elif key in ("phone", "grid_worker"):
            phone = typed.phone_number(text)
            if phone and not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
                errors.append((str(header), _("Enter an 11-digit mobile number.")))
                continue
            if key == "grid_worker":
                if phone and phone not in workers:
                    errors.append((str(header), _("No grid worker has this number.")))
                    continue
                values["grid_worker_id"] = workers.get(phone)
            else:
                values[key] = phone or None
        else:
            cleaned = {"building": typed.building, "unit": typed.unit,
                       "room": typed.room}.get(key, lambda v: v)(text)
            values[key] = cleaned or None
    if not errors:
        for name, limit in (("name", 40), ("building", 20), ("unit", 20), ("room", 20),
                            ("health", 2000), ("contacts", 1000), ("notes", 4000)):
            if values.get(name) and len(values[name]) > limit:
                header = next(h for k, h, _r in COLUMNS if k == name)
                errors.append((str(header), _("Use at most %(max)d characters.", max=limit)))
    return values, errors


def parse(session: Session, stream) -> Parsed:
    """The rows of an uploaded .xlsx, checked. Refuses what is not a workbook at all."""
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook, or no zip at all
        raise DomainError(_l("This is not an Excel (.xlsx) file. Download the template and "
                             "fill that in."), "register") from error
    sheet = book.worksheets[0]
    labels = {key: _labels(kind) for key, kind in CHOICES.items()}
    workers = {user.phone: user.id for user in service.grid_workers(session)}
    parsed, seen = Parsed(), {}
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cells = list(cells)[:len(COLUMNS)]
        if not any(_text(cell) for cell in cells):
            continue
        if number > MAX_ROWS + 1:
            raise DomainError(_l("At most %(count)d people at once.", count=MAX_ROWS),
                              "register")
        values, errors = _row(session, cells, labels, workers)
        if not errors:
            key = service.natural_key(values["name"], values.get("phone"), values["building"],
                                      values.get("unit"), values.get("room"))
            if key in seen:
                errors.append((str(COLUMNS[0][1]), _("The same person as row %(row)d.",
                                                    row=seen[key])))
            seen.setdefault(key, number)
        parsed.errors.extend((number, column, message) for column, message in errors)
        if not errors:
            parsed.rows.append({"row": number, **values})
    book.close()
    return parsed


def keep(session: Session, staff, parsed: Parsed, now: datetime) -> CareImport:
    """Keep the good rows for this staff member until they confirm (an older wait goes)."""
    session.execute(delete(CareImport).where(
        (CareImport.staff_id == staff.id) | (CareImport.created_at < now - timedelta(days=1))))
    pending = CareImport(staff_id=staff.id, rows=json.dumps(parsed.rows, ensure_ascii=False),
                         created_at=now)
    session.add(pending)
    session.flush()
    return pending


def pending_of(session: Session, staff, pending_id: int) -> CareImport | None:
    return session.scalars(select(CareImport).where(CareImport.id == pending_id,
                                                    CareImport.staff_id == staff.id)).first()


def confirm(session: Session, staff, pending: CareImport, today: date) -> tuple[int, int]:
    """Write the waiting rows: (added, changed). Known people (same natural key) are updated."""
    added = changed = 0
    for row in json.loads(pending.rows):
        values = {name: row.get(name) for name in service.FIELDS}
        values["consent_on"] = date.fromisoformat(row["consent_on"])
        key = service.natural_key(values["name"], values["phone"], values["building"],
                                  values["unit"], values["room"])
        known = session.scalars(select(CarePerson).where(CarePerson.natural_key == key)).first()
        if known is None:
            service.add_person(session, staff, values, today)
            added += 1
        else:
            values["id_number"] = known.id_number  # never in the sheet: keep it
            if service.update_person(session, staff, known, values, known.version):
                changed += 1
    session.delete(pending)
    record(session, staff, service.AREA, "register_imported", "",
           f"added {added}, changed {changed}")
    return added, changed


def export_rows(session: Session):
    """The whole register in the columns of the template."""
    names = {user.id: user.phone for user in session.scalars(select(User).where(
        User.id.in_(select(CarePerson.grid_worker_id).where(
            CarePerson.grid_worker_id.is_not(None)))))}
    for person in session.scalars(select(CarePerson).order_by(CarePerson.id)
                                  .execution_options(yield_per=200)):
        yield [person.name, person.phone or "", person.building, person.unit or "",
               person.room or "", "、".join(str(c.label) for c in person.category_list),
               "、".join(str(n.label) for n in person.need_list),
               str(person.frequency_enum.label), str(person.risk_enum.label),
               names.get(person.grid_worker_id, ""), person.contacts or "",
               person.health or "", str(person.legal_basis_enum.label),
               person.consent_on.isoformat(), person.notes or ""]
