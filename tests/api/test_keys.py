"""Keys: required to create, scoped, revocable, stored hashed, rate-limited; and the back
office that issues them (shown once) and the extra questions of a category."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.roles import Role
from portal.api.models import ApiKey, ServiceQuestion
from portal.service_requests.models import ServiceRequest
from tests.api.conftest import xml_of
from tests.conftest import csrf_token

NEW = {"service_code": "noise", "description": "楼上装修太吵", "address_string": "5号楼 1单元"}


def test_creating_needs_a_valid_key_that_may_create(app, db, client, categories, issue_key,
                                                    staff_client):
    assert client.post("/open311/v2/requests.json", data=NEW).status_code == 403
    assert client.post("/open311/v2/requests.json",
                       data={**NEW, "api_key": "linli_made-up"}).status_code == 403
    reader = issue_key("reader", read=True, create=False)
    refused = client.post("/open311/v2/requests.xml", data={**NEW, "api_key": reader})
    assert refused.status_code == 403 and xml_of(refused).tag == "errors"
    creator = issue_key("creator")
    assert client.post("/open311/v2/requests.json",
                       data={**NEW, "api_key": creator}).status_code == 201
    key = db.scalar(select(ApiKey).where(ApiKey.name == "creator"))
    director = staff_client(Role.DIRECTOR)
    assert "creator" in director.get("/staff/api-keys").get_data(as_text=True)
    response = director.post(f"/staff/api-keys/{key.id}/revoke",
                             data={"csrf_token": csrf_token(director, "/staff/api-keys")})
    assert response.status_code == 303
    refused = client.post("/open311/v2/requests.json", data={**NEW, "api_key": creator})
    assert refused.status_code == 403 and "已经停用" in refused.get_json()[0]["description"]
    refused = client.post("/open311/v2/requests.json?locale=en",
                          data={**NEW, "api_key": creator})
    assert "revoked" in refused.get_json()[0]["description"]
    # A revoked or unknown key is refused for reading too, rather than quietly ignored.
    assert client.get(f"/open311/v2/requests.json?api_key={creator}").status_code == 403
    assert db.scalar(select(ServiceRequest.id).where(ServiceRequest.channel == "api"))


def test_keys_are_rate_limited(make_app, db):
    from portal.accounts.models import User
    from portal.api import service as api
    from portal.service_requests import service

    app = make_app(API_RATE_LIMIT_PER_KEY="3 per minute",
                   API_RATE_LIMIT_PER_ADDRESS="2 per minute")
    session = app.extensions["db_sessionmaker"]()
    director = User(phone="13900000099", name="主任", password_hash="x", role="director")
    session.add(director)
    session.commit()
    with app.app_context():
        service.seed_categories(session)
        _key, secret = api.issue_key(session, director, name="busy", may_read_details=False,
                                  may_create=True)
    session.commit()
    client = app.test_client()
    answers = [client.get(f"/open311/v2/services.json?api_key={secret}").status_code
               for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get(f"/open311/v2/services.xml?api_key={secret}")
    assert limited.status_code == 429 and xml_of(limited).findtext("error/code") == "429"
    anonymous = [client.get("/open311/v2/services.json").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]  # without a key: counted per address
    assert client.get(f"/open311/v2/services.json?api_key={secret}").status_code == 429
    session.close()


def test_a_key_is_shown_once_and_kept_only_as_a_hash(app, db, staff_client, csrf):
    director = staff_client(Role.DIRECTOR)
    token = csrf(director, "/staff/api-keys")
    response = director.post("/staff/api-keys", data={
        "csrf_token": token, "name": "街道办系统", "may_read_details": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    key = db.scalar(select(ApiKey))
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("linli_") and len(secret) > 40
    assert key.secret_hash != secret and secret not in key.secret_hash
    assert (key.name, key.may_read_details, key.may_create) == ("街道办系统", True, False)
    assert secret not in director.get("/staff/api-keys").get_data(as_text=True)
    assert key.prefix in director.get("/staff/api-keys").get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_issuing_refuses_and_keeps_what_was_typed(db, staff_client, csrf):
    director = staff_client(Role.DIRECTOR)
    token = csrf(director, "/staff/api-keys")
    response = director.post("/staff/api-keys", data={"csrf_token": token, "name": "热线"})
    assert response.status_code == 422
    assert 'value="热线"' in response.get_data(as_text=True)
    response = director.post("/staff/api-keys", data={"csrf_token": token, "name": "",
                                                      "may_create": "y"})
    assert response.status_code == 422
    assert db.scalar(select(ApiKey.id)) is None


def test_only_the_director_and_admin_manage_keys(staff_client, resident_client, app):
    for role in (Role.GRID_WORKER, Role.DEPUTY_DIRECTOR, Role.CIVIL_AFFAIRS):
        assert staff_client(role).get("/staff/api-keys").status_code == 403
    assert resident_client.get("/staff/api-keys").status_code == 403
    assert app.test_client().get("/staff/api-keys").status_code in (302, 401)
    assert staff_client(Role.ADMIN).get("/staff/api-keys").status_code == 200
    assert staff_client(Role.DIRECTOR).get("/staff/api-keys").status_code == 200


def test_staff_attach_questions_to_a_category(app, db, client, categories, staff_client, csrf):
    deputy = staff_client(Role.DEPUTY_DIRECTOR)
    token = csrf(deputy, "/staff/api-keys/questions")
    form = {"csrf_token": token, "category": str(categories["hazard"].id),
            "prompt_zh": "是否有人有危险？", "prompt_en": "Is anyone in danger?",
            "datatype": "singlevaluelist", "options": "是\n否", "required": "y",
            "position": "1", "active": "y"}
    refused = deputy.post("/staff/api-keys/questions", data={**form, "options": "是"})
    assert refused.status_code == 422
    assert "是否有人有危险？" in refused.get_data(as_text=True)
    assert deputy.post("/staff/api-keys/questions", data=form).status_code == 303
    question = db.scalar(select(ServiceQuestion))
    assert question.choices == ["是", "否"] and question.required
    services = client.get("/open311/v2/services.json").get_json()
    assert {s["service_code"]: s["metadata"] for s in services}["hazard"] is True
    [attribute] = client.get("/open311/v2/services/hazard.json?locale=en").get_json()[
        "attributes"]
    assert attribute["description"] == "Is anyone in danger?"
    assert attribute["values"] == [{"key": "是", "name": "是"}, {"key": "否", "name": "否"}]
    edit = f"/staff/api-keys/questions/{question.id}"
    assert "是否有人有危险？" in deputy.get(edit).get_data(as_text=True)
    assert deputy.post(edit, data={**form, "active": ""}).status_code == 303
    db.expire_all()
    assert not db.get(ServiceQuestion, question.id).active
    assert client.get("/open311/v2/services/hazard.json").get_json()["attributes"] == []
    assert staff_client(Role.GRID_WORKER).get("/staff/api-keys/questions").status_code == 403
