"""A community with one real object of every kind a staff URL names, for the permission test.

The areas' own demo loaders build most of it (as `portal demo` does); what the demo leaves out
(an attachment, an alert, a holiday, a board profile of our own) is added here. The demo
accounts are made first with the run's password hash (`demo_accounts`), so no argon2 runs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.accounts import demo as accounts_demo
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.activities.models import Activity, Signup
from portal.aid.models import AidApplication, AidHoliday, AidType
from portal.api.service import catalogue as api_catalogue
from portal.api.service import keys as api_keys
from portal.board.models import BoardProfile
from portal.care.models import CarePerson, CareReferral
from portal.checkins.models import CheckinEntry
from portal.clock import utcnow
from portal.figures.models import RatingFollowUp
from portal.files.service import store_upload
from portal.minutes.models import Meeting, MeetingAttachment, Resolution
from portal.notices.models import Alert, Notice
from portal.registry import registry
from portal.service_requests.models import (
    ReplyTemplate,
    RequestCategory,
    RequestEvent,
    ServiceRequest,
)
from portal.surveys.models import Question, Survey


@dataclass
class World:
    """Ids by URL argument name; ``ref`` differs by area, so it is looked up per blueprint."""

    ids: dict[str, object]
    refs: dict[str, str]
    users: dict[Role, User]
    # Where one argument name means another area's object (an API question, not a survey's).
    by_blueprint: dict[str, dict[str, object]]

    def value(self, blueprint: str, argument: str):
        if argument == "ref":
            return self.refs[blueprint]
        return self.by_blueprint.get(blueprint, {}).get(argument, self.ids[argument])


def _png() -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(buffer, filename="agenda.png", content_type="image/png")


def _first(session, statement):
    found = session.scalars(statement.limit(1)).first()
    assert found is not None, f"the demo data has no row for {statement}"
    return found


def build(app, session, demo_accounts) -> World:
    demo_accounts()
    with app.app_context():
        for loader in registry(app).sorted("demo_loaders"):
            if loader.scale_option:
                loader.load(session, echo=lambda *_: None, scale=None)
            else:
                loader.load(session, echo=lambda *_: None)
            session.commit()
        return _collect(session)


def _collect(session) -> World:
    users = {Role(user.role): user for user in session.scalars(
        select(User).where(User.phone.in_([p for p, *_ in accounts_demo.STAFF])))}
    # The accounts pages change the account they are given; keep the signed-in ones apart.
    # An administrator's account: the least the admin (who manages accounts) may manage.
    target = User(phone="13900000099", name="另一位管理员", password_hash="-",
                  role=Role.ADMIN.value)
    session.add(target)

    # Front-line staff see their own team's requests: give one to the front-line team with the
    # fewest permissions (the one the permission test signs in as: the grid worker also visits
    # the people in care).
    request = _first(session, select(ServiceRequest).order_by(ServiceRequest.id))
    request.role = Role.GOVERNANCE.value

    application = _first(session, select(AidApplication).where(AidApplication.ref.is_not(None))
                         .order_by(AidApplication.id))
    aid_type = session.get(AidType, application.type_id)
    holiday = AidHoliday(day=date(2027, 1, 1), is_workday=False, note="元旦")
    session.add(holiday)

    signup = _first(session, select(Signup).order_by(Signup.id))
    activity = session.get(Activity, signup.activity_id)

    resolution = _first(session, select(Resolution).order_by(Resolution.id))
    meeting = session.get(Meeting, resolution.meeting_id)
    stored = store_upload(session, _png(), owner_id=users[Role.DIRECTOR].id, area="minutes")
    attachment = MeetingAttachment(meeting_id=meeting.id, file_id=stored.id)
    session.add(attachment)

    notice = _first(session, select(Notice).order_by(Notice.id))
    alert = Alert(level="blue", kind="other", text="明天上午停水", form_key="world-alert",
                  expires_at=utcnow() + timedelta(days=1), raised_by_id=users[Role.DIRECTOR].id)
    session.add(alert)

    # A text question: its answers have a page of their own as well.
    question = _first(session, select(Question).order_by(Question.id)
                      .where(Question.kind.in_(["short_text", "long_text"])))
    survey = session.get(Survey, question.survey_id)
    profile = _first(session, select(BoardProfile).order_by(BoardProfile.id))
    category = _first(session, select(RequestCategory).order_by(RequestCategory.id))
    template = _first(session, select(ReplyTemplate).order_by(ReplyTemplate.id))

    key, _secret = api_keys.issue_key(session, users[Role.DIRECTOR], name="街道系统",
                                      may_read_details=True, may_create=False)
    api_question = api_catalogue.save_question(
        session, None, category=category, prompt_zh="在几楼？", prompt_en="Which floor?",
        datatype="string", required=False, options="", position=1, active=True)
    event = _first(session, select(RequestEvent).where(RequestEvent.request_id == request.id)
                    .order_by(RequestEvent.id))
    follow_up = session.scalars(select(RatingFollowUp).limit(1)).first() or RatingFollowUp(
        request_id=request.id, event_id=event.id, rating=1, rated_at=utcnow(),
        due_on=date.today(), due_at=utcnow() + timedelta(days=5))
    session.add(follow_up)
    # In the demo grid worker's own grid, so they may open it too.
    person = _first(session, select(CarePerson).order_by(CarePerson.id).where(
        CarePerson.grid_worker_id == users[Role.GRID_WORKER].id))
    # A referral to the front-line role with the fewest permissions, still open, about a
    # person in that grid (the demo's own), so that role may take it and record its outcome.
    referral = _first(session, select(CareReferral).order_by(CareReferral.id).where(
        CareReferral.person_id.is_not(None)))
    referral.to_role, referral.status = Role.GOVERNANCE.value, "open"
    referral.closed_at = referral.outcome = None
    # The demo's past check-in, and someone on it in the demo grid worker's grid.
    entry = _first(session, select(CheckinEntry).order_by(CheckinEntry.id).where(
        CheckinEntry.grid_worker_id == users[Role.GRID_WORKER].id))
    session.commit()

    return World(
        ids={"user_id": target.id, "category_id": category.id, "template_id": template.id,
             "item": aid_type.materials[0]["key"], "code": aid_type.code,
             "day": holiday.day.isoformat(), "activity_id": activity.id,
             "signup_id": signup.id, "meeting_id": meeting.id, "attachment_id": attachment.id,
             "resolution_id": resolution.id, "notice_id": notice.id, "alert_id": alert.id,
             "survey_id": survey.id, "question_id": question.id, "profile_id": profile.id,
             "fmt": "csv", "key_id": key.id, "item_id": follow_up.id,
             "person_id": person.id, "referral_id": referral.id,
             "checkin_id": entry.checkin_id, "entry_id": entry.id},
        refs={"staff_requests": request.ref, "aid_staff": application.ref,
              "staff_referrals": request.ref},
        users=users,
        by_blueprint={"api_keys": {"question_id": api_question.id}},
    )
