"""Every resident form, sent with no session: kept, the person asked to sign in (never a 400),
and after signing in the form's page shows what they filled in, not yet sent. Buttons (no
fields) and the password form (never kept) come back to their page with nothing kept."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import pytest
from sqlalchemy import func, select

from portal.activities.models import Signup
from portal.aid import service as aid
from portal.clock import utcnow
from portal.keptforms.models import KeptForm
from portal.keptforms.web import needs_sign_in
from portal.service_requests import service as requests_service
from portal.service_requests.models import ServiceRequest
from tests.aid.conftest import VALID_ID, jpeg_bytes
from tests.conftest import TEST_PASSWORD
from tests.keptforms.helpers import KEPT, SIGNED_OUT, post_signed_out, sign_in, sign_in_page
from tests.surveys.helpers import full_answer, make_survey


@dataclass
class Case:
    url: str
    data: dict
    page: str
    shows: list[str] = field(default_factory=list)  # empty: a button, nothing to keep
    multipart: bool = False


class World:
    """The objects the forms belong to, made only when a case asks for them."""

    def __init__(self, app, db, resident, make_user, file_request, build_application,
                 make_activity):
        self.app, self.db, self.resident, self.make_user = app, db, resident, make_user
        self._file_request, self._build = file_request, build_application
        self._make_activity = make_activity

    @cached_property
    def request(self):
        return self._file_request(self.resident)

    @cached_property
    def resolved(self):
        item = self._file_request(self.resident)
        staff = self.make_user("grid_worker")
        with self.app.app_context():
            requests_service.transition(self.db, item, requests_service.ACCEPTED, staff)
            requests_service.transition(self.db, item, requests_service.RESOLVED, staff)
        self.db.commit()
        return item

    @cached_property
    def application(self):
        return self._build(self.resident)

    @cached_property
    def fresh_application(self):
        types = {t.code: t for t in aid.list_types(self.db)}
        with self.app.test_request_context():
            application = aid.start_application(self.db, self.resident, types["dibao"], None,
                                                "fresh-start")
        self.db.commit()
        return application

    @cached_property
    def activity(self):
        return self._make_activity()

    @cached_property
    def past_activity(self):
        now = utcnow()
        activity = self._make_activity(starts_at=now - timedelta(hours=5),
                                       ends_at=now - timedelta(hours=3),
                                       signup_opens_at=now - timedelta(days=5),
                                       signup_closes_at=now - timedelta(days=1))
        self.db.add(Signup(activity_id=activity.id, user_id=self.resident.id, status="confirmed",
                           seq=1, checkin_code="K7Q2M9PA", attended_at=now - timedelta(hours=4)))
        self.db.commit()
        return activity

    @cached_property
    def survey(self):
        return make_survey(self.db)

    @cached_property
    def checkin(self):
        from portal.checkins import service as checkins
        from portal.notices.models import Alert

        alert = Alert(form_key="kept-alert", level="red", kind="flood", text="暴雨红色预警",
                      expires_at=utcnow() + timedelta(hours=6))
        self.db.add(alert)
        self.db.flush()
        with self.app.test_request_context():
            checkin = checkins.open_checkin(self.db, alert, utcnow(), actor=self.resident,
                                            link=lambda c: f"/checkin/{c.id}")
        self.db.commit()
        return checkin


def _key(world):
    return world.application.url_key


CASES = {
    "requests.new": lambda w: Case("/requests/new", {
        "category": str(w.categories["repair"].id), "building": "3号楼", "location": "2单元东",
        "description": "楼道的灯坏了两个星期，晚上很黑。", "idempotency_key": "kept-key-123456"},
        "/requests/new", ["楼道的灯坏了两个星期", 'value="2单元东"', 'value="kept-key-123456"']),
    "requests.rate": lambda w: Case(f"/requests/{w.resolved.ref}/rate",
                                    {"level": "2", "comment": "师傅来了，可灯还是不亮。"},
                                    f"/requests/{w.resolved.ref}", ["师傅来了，可灯还是不亮。"]),
    "requests.dispute": lambda w: Case(f"/requests/{w.resolved.ref}/dispute",
                                       {"dispute-reason": "水管还在漏水，师傅没来。"},
                                       f"/requests/{w.resolved.ref}", ["水管还在漏水，师傅没来。"]),
    "requests.withdraw": lambda w: Case(f"/requests/{w.request.ref}/withdraw", {},
                                        f"/requests/{w.request.ref}"),
    "requests.follow": lambda w: Case(f"/requests/{w.request.ref}/follow", {}, "/requests/new"),
    "aid.start": lambda w: Case("/aid/new", {"aid_type": "temporary", "kind": "emergency",
                                             "start_key": "kept-start-key"},
                                "/aid/new", ['value="kept-start-key"']),
    "aid.applicant": lambda w: Case(f"/aid/{_key(w)}/applicant", {
        "name": "李秀英", "id_number": VALID_ID, "phone": "13800138000", "back": "check"},
        f"/aid/{_key(w)}/applicant", ['value="李秀英"']),
    "aid.add_member": lambda w: Case(f"/aid/{_key(w)}/household/members", {
        "member_name": "李小明", "relation": "child", "member_id_number": VALID_ID,
        "status": "student"}, f"/aid/{_key(w)}/household", ['value="李小明"']),
    "aid.remove_member": lambda w: Case(f"/aid/{_key(w)}/household/members/1/remove", {},
                                        f"/aid/{_key(w)}/household"),
    "aid.household_done": lambda w: Case(f"/aid/{_key(w)}/household/done", {},
                                         f"/aid/{_key(w)}/household"),
    "aid.income": lambda w: Case(f"/aid/{_key(w)}/income", {
        "applicant_income": "1234.50", "housing": "rent", "vehicles": "0", "savings": "100",
        "circumstances": "老伴住院了，开销很大。"}, f"/aid/{_key(w)}/income",
        ['value="1234.50"', "老伴住院了，开销很大。"]),
    "aid.materials": lambda w: Case(
        f"/aid/{_key(w)}/materials",
        {"item-1": "hukou", "files-1": [(io.BytesIO(jpeg_bytes()), "户口本第一页.jpg")],
         "back": ""},
        f"/aid/{_key(w)}/materials", ["户口本第一页.jpg", 'name="tokens-1"'], multipart=True),
    "aid.remove_file": lambda w: Case(f"/aid/{_key(w)}/files/1/remove", {},
                                      f"/aid/{_key(w)}/materials"),
    "aid.consent": lambda w: Case(
        f"/aid/{w.fresh_application.url_key}/consent", {"processing": "y", "check": "y"},
        f"/aid/{w.fresh_application.url_key}/consent", ['checked id="processing"']),
    "aid.submit": lambda w: Case(f"/aid/{_key(w)}/submit", {}, f"/aid/{_key(w)}/check"),
    "aid.undo": lambda w: Case(f"/aid/{_key(w)}/undo", {}, f"/aid/{_key(w)}"),
    "aid.withdraw": lambda w: Case(f"/aid/{_key(w)}/withdraw", {}, f"/aid/{_key(w)}/withdraw"),
    "activities.signup": lambda w: Case(f"/activities/{w.activity.id}/signup",
                                        {"companions": "2"}, f"/activities/{w.activity.id}",
                                        ['<option selected value="2">']),
    "activities.cancel": lambda w: Case(f"/activities/{w.activity.id}/cancel", {},
                                        f"/activities/{w.activity.id}"),
    "activities.rate": lambda w: Case(f"/activities/{w.past_activity.id}/rate", {"level": "4"},
                                      f"/activities/{w.past_activity.id}",
                                      ['checked id="level-1"']),
    "activities.reset_feed": lambda w: Case("/activities/feed/reset", {}, "/activities/mine"),
    "surveys.submit": lambda w: Case(f"/surveys/{w.survey.id}",
                                     full_answer(w.survey, short="邻里之间很和气"),
                                     f"/surveys/{w.survey.id}", ["邻里之间很和气"]),
    "checkins.send": lambda w: Case(f"/checkin/{w.checkin.id}", {
        "answer": "help", "details": "1", "kind": "medical", "people": "2", "note": "老伴发烧"},
        f"/checkin/{w.checkin.id}", ["老伴发烧", 'value="2"', 'checked id="kind-1"']),
    "auth.account": lambda w: Case("/account", {"name": "王秀兰阿姨", "building": "5号楼",
                                                "unit": "1单元", "room": "302"},
                                   "/account", ['value="王秀兰阿姨"', 'value="302"']),
    # Only passwords: nothing is kept, and the person comes back to the account page.
    "auth.change_password": lambda w: Case("/account/password", {
        "pw-current_password": TEST_PASSWORD, "pw-new_password": "a new one for the lift"},
        "/account"),
    "auth.sign_out_everywhere": lambda w: Case("/account/sign-out-everywhere", {}, "/account"),
    "auth.keep_signed_in": lambda w: Case("/auth/continue", {"next": "/account"}, "/account"),
    "notices.mark_read": lambda w: Case("/notices/1/read", {}, "/notices/"),
    "notifications.open_one": lambda w: Case("/notifications/1/open", {}, "/notifications"),
    "notifications.mark_all_read": lambda w: Case("/notifications/read", {}, "/notifications"),
}


@pytest.fixture
def world(app, db, resident, make_user, categories, file_request, build_application,
          make_activity):
    made = World(app, db, resident, make_user, file_request, build_application, make_activity)
    made.categories = categories
    return made


def test_the_cases_are_every_resident_form(app):
    """A new resident POST view gets a case here (or this test fails)."""
    resident_posts = {rule.endpoint for rule in app.url_map.iter_rules()
                      if "POST" in rule.methods
                      and needs_sign_in(app.view_functions[rule.endpoint])}
    assert resident_posts == set(CASES)


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_a_form_sent_signed_out_comes_back_after_sign_in(app, client, db, world, endpoint):
    case = CASES[endpoint](world)
    requests_before = db.scalar(select(func.count()).select_from(ServiceRequest))
    response = post_signed_out(client, case.url, case.data, page=case.page,
                               content_type="multipart/form-data" if case.multipart else None)
    html, next_page = sign_in_page(client, response)
    assert next_page == case.page
    assert (KEPT if case.shows else SIGNED_OUT) in html
    assert db.scalar(select(func.count()).select_from(KeptForm)) == (1 if case.shows else 0)

    signed_in = sign_in(client, world.resident, html, next_page)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == case.page
    page = client.get(case.page)
    assert page.status_code == 200 if case.shows else page.status_code < 400
    text = page.get_data(as_text=True)
    for shown in case.shows:
        assert shown in text, shown
    assert db.scalar(select(func.count()).select_from(KeptForm)) == 0  # one time only
    again = client.get(case.page).get_data(as_text=True)
    assert not any(shown in again for shown in case.shows if "tokens" not in shown)
    assert db.scalar(select(func.count()).select_from(ServiceRequest)) == requests_before


def test_the_kept_fields_are_not_readable_in_the_database(app, client, db, world):
    case = CASES["aid.applicant"](world)
    post_signed_out(client, case.url, case.data, page=case.page)
    kept = db.scalar(select(KeptForm))
    assert "李秀英" not in kept.payload and VALID_ID not in kept.payload
    assert kept.page == case.page
    cookie = client.get_cookie("linli_kept_form")
    assert cookie is not None and cookie.value not in kept.lookup


def test_no_password_or_token_is_ever_kept(app, client, db, world):
    data = {**CASES["auth.account"](world).data, "csrf_token": "stale-token-in-the-form",
            "pw-new_password": "hunter2 secret"}
    html, next_page = sign_in_page(client, post_signed_out(client, "/account", data,
                                                           page="/account"))
    sign_in(client, world.resident, html, next_page)
    text = client.get("/account").get_data(as_text=True)
    assert "王秀兰阿姨" in text
    assert "hunter2" not in text and "stale-token-in-the-form" not in text
