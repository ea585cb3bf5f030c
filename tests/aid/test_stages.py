"""Every stage transition of the state machine, the refused ones included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from portal.accounts.roles import Role
from portal.aid import service
from portal.aid.models import AidApplication, AidPayment
from portal.errors import DomainError
from portal.notifications.models import Notification, OutboxMessage

MONDAY = date(2026, 11, 2)
pytestmark = pytest.mark.usefixtures("ctx")  # these tests call the service, no HTTP


@pytest.fixture
def people(make_user):
    return make_user(Role.RESIDENT), make_user(Role.CIVIL_AFFAIRS)


def test_full_dibao_procedure_with_deadlines(db, build_application, people):
    resident, staff = people
    application = build_application(resident, stage="draft")
    assert service.submit(db, application, MONDAY, datetime.now(UTC))
    assert application.ref == "A20261102-0001"
    assert application.stage == "submitted"
    assert application.stage_due_on == date(2026, 11, 5)  # 3 working days
    assert not service.submit(db, application, MONDAY, datetime.now(UTC))  # sent twice: no-op

    service.accept(db, application, staff, MONDAY)
    assert application.stage_due_on == date(2026, 11, 5)  # visit within 3 working days
    assert application.deadline_on == date(2026, 12, 14)  # 30 working days

    with pytest.raises(DomainError):  # one investigator is not enough
        service.record_investigation(db, application, staff, MONDAY, investigators=["甲"],
                                     visited_on=MONDAY, findings="x")
    service.record_investigation(db, application, staff, MONDAY, investigators=["甲", "乙"],
                                 visited_on=MONDAY, findings="属实")
    with pytest.raises(DomainError):  # approval needs the public notice first
        service.decide(db, application, staff, MONDAY, approve=True, amount_fen=90000,
                       start_month="2026-12")
    service.start_notice(db, application, staff, date(2026, 11, 3), 90000)
    assert application.notice_ends_on == date(2026, 11, 9)
    with pytest.raises(DomainError):  # not during the notice
        service.decide(db, application, staff, date(2026, 11, 9), approve=True,
                       amount_fen=90000, start_month="2026-12")
    assert service.decision_due(db, application) == date(2026, 11, 23)
    with pytest.raises(DomainError):  # no payment before approval
        service.record_payment(db, application, staff, MONDAY, month="2026-12",
                               amount_fen=90000)
    service.decide(db, application, staff, date(2026, 11, 10), approve=True, amount_fen=90000,
                   start_month="2026-12", review_months=12)
    assert application.stage == "approved"
    assert application.next_review_on == date(2027, 12, 1)
    with pytest.raises(DomainError):  # no withdrawal after the decision
        service.withdraw(db, application, MONDAY)

    service.record_payment(db, application, staff, date(2026, 12, 5), month="2026-12",
                           amount_fen=90000)
    with pytest.raises(DomainError):  # one payment a month
        service.record_payment(db, application, staff, date(2026, 12, 6), month="2026-12",
                               amount_fen=90000)
    service.schedule_review(db, application, staff, date(2026, 12, 6), date(2027, 6, 1))
    assert application.next_review_on == date(2027, 6, 1)
    db.commit()

    stages = [event.stage for event in application.events]
    assert stages == ["submitted", "accepted", "investigation", "notice", "approved",
                      "payment", "review"]
    # every stage change told the resident, with nothing personal but the reference
    inbox = db.scalars(select(Notification).where(Notification.user_id == resident.id)).all()
    assert len(inbox) == len(stages)
    assert all(n.params == {"ref": application.ref,
                            "aid": {"zh_Hans_CN": "最低生活保障（低保）",
                                    "en": "Minimum living allowance (dibao)"}}
               for n in inbox)
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == len(stages)


def test_return_lists_every_missing_item_and_resubmission(db, build_application, people):
    resident, staff = people
    application = build_application(resident, stage="submitted", today=MONDAY)
    service.review_material(db, application, staff, "hukou", ok=False, note="看不清")
    lines = service.return_for_materials(db, application, staff, MONDAY, "请补充")
    assert application.stage == "returned"
    assert any("户口簿" in line and "看不清" in line for line in lines)
    assert any("收入证明" in line for line in lines)  # never uploaded
    assert not any("残疾证" in line for line in lines)  # optional item
    notice = application.events[-1].notice
    assert "户口簿" in notice and "请补充" in notice
    with pytest.raises(DomainError):
        service.accept(db, application, staff, MONDAY)  # resident's turn now
    assert service.submit(db, application, MONDAY, datetime.now(UTC))
    assert application.stage == "submitted"
    assert application.ref.endswith("-0001")  # the same reference


def test_refusal_from_investigation_with_appeal_rights(db, build_application, people):
    resident, staff = people
    application = build_application(resident, stage="investigation", staff=staff)
    with pytest.raises(DomainError):  # reasons are required
        service.decide(db, application, staff, MONDAY, approve=False, reasons="")
    service.decide(db, application, staff, MONDAY, approve=False, reasons="收入超过标准")
    assert application.stage == "refused"
    assert "行政复议" in application.events[-1].notice
    assert "行政诉讼" in application.events[-1].notice


def test_refused_transitions(db, build_application, people):
    resident, staff = people
    draft = build_application(resident, stage="draft")
    for act in (lambda: service.accept(db, draft, staff, MONDAY),
                lambda: service.start_notice(db, draft, staff, MONDAY, 100),
                lambda: service.complete_paperwork(db, draft, staff, MONDAY),
                lambda: service.extend_deadline(db, draft, staff, MONDAY, "x")):
        with pytest.raises(DomainError):
            act()
    care = build_application(resident, code="elderly_care", stage="investigation",
                             staff=staff)
    with pytest.raises(DomainError):  # no public notice for this type
        service.start_notice(db, care, staff, MONDAY, 100)
    service.decide(db, care, staff, MONDAY, approve=True, amount_fen=20000,
                   start_month="2026-12")
    assert care.stage == "approved"


def test_emergency_help_is_paid_first(db, build_application, people):
    resident, staff = people
    application = build_application(resident, code="temporary", kind="emergency",
                                    stage="accepted", staff=staff)
    assert application.stage_due_on == MONDAY  # pay at once
    with pytest.raises(DomainError):  # no investigation before paying
        service.complete_paperwork(db, application, staff, MONDAY)
    service.record_payment(db, application, staff, MONDAY, month="2026-11", amount_fen=300000)
    assert application.stage == "emergency_paid"
    assert application.stage_due_on == application.deadline_on
    service.complete_paperwork(db, application, staff, date(2026, 11, 20))
    assert application.stage == "completed"
    assert [s.state for s in service.progress_steps(db, application)] == ["done"] * 4


def test_withdraw_before_decision_and_extension(db, build_application, people):
    resident, staff = people
    application = build_application(resident, stage="notice", staff=staff)
    service.extend_deadline(db, application, staff, MONDAY, "需补充核对")
    assert application.deadline_on == service.add_working_days(db, MONDAY, 45)
    with pytest.raises(DomainError):  # only once
        service.extend_deadline(db, application, staff, MONDAY, "again")
    service.withdraw(db, application, MONDAY)
    assert application.stage == "withdrawn"
    with pytest.raises(DomainError):
        service.accept(db, application, staff, MONDAY)


def test_progress_page_steps_show_due_dates(db, build_application, people):
    resident, staff = people
    application = build_application(resident, stage="accepted", staff=staff)
    steps = {step.stage: step for step in service.progress_steps(db, application)}
    assert steps["submitted"].state == "done"
    assert steps["accepted"].state == "done"
    assert steps["accepted"].due_on == date(2026, 11, 5)
    assert steps["investigation"].state == "next"
    assert steps["investigation"].due_on == date(2026, 11, 5)
    assert steps["notice"].state == "upcoming"


def test_references_count_per_day(db, build_application, people):
    resident, _staff = people
    first = build_application(resident, stage="submitted", today=MONDAY)
    second = build_application(resident, stage="submitted", today=MONDAY)
    third = build_application(resident, stage="submitted", today=date(2026, 11, 3))
    assert (first.ref, second.ref, third.ref) == (
        "A20261102-0001", "A20261102-0002", "A20261103-0001")


def test_id_numbers_are_encrypted_and_hashed(db, build_application, people):
    resident, _staff = people
    application = build_application(resident, stage="submitted")
    plain = service.reveal_ids(application)["applicant"]
    row = db.execute(text("SELECT id_cipher, id_hash, id_masked FROM aid_application "
                          "WHERE id = :id"), {"id": application.id}).one()
    assert plain not in row.id_cipher and plain[-8:] not in row.id_cipher
    assert plain not in row.id_hash
    assert row.id_masked == plain[:6] + "********" + plain[-4:]
    member_row = db.execute(text("SELECT id_cipher FROM aid_member")).scalars().all()
    assert all(value and not value[:6].isdigit() for value in member_row)


def test_same_household_found_by_keyed_hash(db, build_application, people, types):
    resident, _staff = people
    first = build_application(resident, stage="submitted")
    second = build_application(resident, stage="submitted")
    member_id = service.reveal_ids(first)[first.members[0].id]
    service_app = db.get(AidApplication, second.id)
    assert service.same_household(db, service_app) == []
    # the second household names the first one's member: spotted
    second.stage = "returned"
    service.add_member(db, second, name="同一人", relation="other", id_number=member_id,
                       status="other")
    db.commit()
    assert [a.id for a in service.same_household(db, second)] == [first.id]
    found = db.scalars(service.queue_statement(
        db, service.QueueFilters(id_number=member_id), MONDAY)).all()
    assert {a.id for a in found} == {first.id, second.id}


def test_aid_writes_its_audit_lines_to_the_one_audit_log():
    from pathlib import Path

    import portal.aid

    sources = {path.name: path.read_text() for path in
               Path(portal.aid.__file__).parent.rglob("*.py")}
    for name, source in sources.items():  # no table of its own, and no way around the log
        assert "AuditEntry" not in source and "aid_audit" not in source, name
    assert "audit.record(" in sources["staff_views.py"]
    assert AidPayment.__tablename__ == "aid_payment"


def test_notices_are_shown_in_the_readers_language(db, build_application, people):
    from flask_babel import force_locale

    resident, staff = people
    application = build_application(resident, stage="investigation", staff=staff)
    with force_locale("zh_Hans_CN"):
        service.start_notice(db, application, staff, MONDAY, 88000)
    db.commit()
    event = application.events[-1]
    assert "公示期" in event.notice  # the staff member's language at the time
    with force_locale("en"):
        assert service.notice_text(event).startswith("Public notice from 2026-11-02")
        assert "张**" in service.notice_text(event) and "880" in service.notice_text(event)
    with force_locale("zh_Hans_CN"):
        assert service.notice_text(event).startswith("公示期 2026-11-02")
