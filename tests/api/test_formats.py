"""Every endpoint in both formats: XML parsed with the standard parser and checked against
the element names of GeoReport v2, and the same content as the JSON (a round trip)."""

from __future__ import annotations

import re

import pytest

from portal.api import service as api
from tests.api.conftest import as_plain, stringified, xml_of

W3C_SHANGHAI = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
REQUEST_FIELDS = {"service_request_id", "status", "service_name", "service_code",
                  "agency_responsible", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address"}


@pytest.fixture
def world(app, db, categories, resident_request, issue_key):
    with app.app_context():
        api.save_question(db, None, category=categories["repair"],
                                prompt_zh="是否有人有危险？", prompt_en="Is anyone in danger?",
                                datatype="singlevaluelist", required=True, options="是\n否",
                                position=1, active=True)
        api.save_question(db, None, category=categories["repair"], prompt_zh="在几楼？",
                                prompt_en="Which floor?", datatype="number", required=False,
                                options="", position=2, active=True)
    db.commit()
    client = app.test_client()
    created = client.post("/open311/v2/requests.json", data={
        "api_key": issue_key(), "service_code": "noise", "description": "楼上装修太吵",
        "address_string": "5号楼 1单元 302"}).get_json()
    return {"ref": resident_request.ref, "token": created[0]["token"], "client": client}


def paths(world):
    return {
        "discovery": ("discovery", None),
        "services": ("services", "service"),
        "services/repair": ("service_definition", None),
        "requests": ("service_requests", "request"),
        f"requests/{world['ref']}": ("service_requests", "request"),
        f"tokens/{world['token']}": ("service_requests", "request"),
    }


def test_each_endpoint_answers_both_formats_with_the_same_content(world):
    client = world["client"]
    for path, (root, item) in paths(world).items():
        as_json = client.get(f"/open311/v2/{path}.json")
        as_xml = client.get(f"/open311/v2/{path}.xml")
        assert as_json.status_code == as_xml.status_code == 200, path
        assert as_json.mimetype == "application/json"
        tree = xml_of(as_xml)
        assert tree.tag == root, path
        if item:
            assert len(tree) > 0 and {child.tag for child in tree} == {item}, path
        assert as_plain(tree) == stringified(as_json.get_json()), path


def test_element_names_are_the_specifications(world):
    client = world["client"]
    discovery = xml_of(client.get("/open311/v2/discovery.xml"))
    assert [child.tag for child in discovery] == ["changeset", "contact", "key_service",
                                                  "endpoints"]
    endpoint = discovery.find("endpoints/endpoint")
    assert {child.tag for child in endpoint} == {"specification", "url", "changeset", "type",
                                                 "formats"}
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml",
                                                                    "application/json"]
    service = xml_of(client.get("/open311/v2/services.xml")).find("service")
    assert [child.tag for child in service] == ["service_code", "service_name", "description",
                                                "metadata", "type", "keywords", "group"]
    definition = xml_of(client.get("/open311/v2/services/repair.xml"))
    attributes = definition.findall("attributes/attribute")
    assert len(attributes) == 2
    danger = attributes[0]
    assert {child.tag for child in danger} == {"variable", "code", "datatype", "required",
                                               "datatype_description", "order",
                                               "description", "values"}
    assert danger.findtext("datatype") == "singlevaluelist"
    assert danger.findtext("required") == "true"
    assert [v.findtext("key") for v in danger.findall("values/value")] == ["是", "否"]
    assert attributes[1].find("values") is None  # a number has no list of values
    request = xml_of(client.get(f"/open311/v2/requests/{world['ref']}.xml")).find("request")
    assert {child.tag for child in request} >= REQUEST_FIELDS
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_SHANGHAI.match(request.findtext(name)), request.findtext(name)
    assert request.findtext("status") == "open"
    assert request.findtext("agency_responsible") == "网格员"


def test_errors_are_the_specifications_in_both_formats(world):
    client = world["client"]
    for path, status in (("services/nothing-here", 404), ("requests/R20000101-0001", 404),
                         ("tokens/unknown", 404), ("requests?status=maybe", 400),
                         ("nowhere", 404)):
        base, _, query = path.partition("?")
        for fmt in ("json", "xml"):
            response = client.get(f"/open311/v2/{base}.{fmt}" + (f"?{query}" if query else ""))
            assert response.status_code == status, (path, fmt)
            if fmt == "json":
                [error] = response.get_json()
                assert error["code"] == status and error["description"]
            else:
                tree = xml_of(response)
                assert tree.tag == "errors"
                assert tree.find("error/code").text == str(status)
                assert tree.find("error/description").text


def test_names_and_errors_follow_the_locale(world):
    client = world["client"]
    english = client.get("/open311/v2/services.json?locale=en").get_json()
    chinese = client.get("/open311/v2/services.json?locale=zh_CN").get_json()
    assert english[0]["service_name"] == "Noise" and chinese[0]["service_name"] == "噪音扰民"
    by_header = client.get("/open311/v2/services.json", headers={"Accept-Language": "en"})
    assert by_header.get_json()[0]["service_name"] == "Noise"
    refused = client.get("/open311/v2/requests.json?status=maybe&locale=zh_CN").get_json()
    assert re.search("[\u4e00-\u9fff]", refused[0]["description"])
    refused = client.get("/open311/v2/requests.json?status=maybe&locale=en").get_json()
    assert "status" in refused[0]["description"]


def test_the_jurisdiction_is_checked(world, app):
    client = world["client"]
    ours = app.config["OPEN311_JURISDICTION_ID"]
    assert client.get(f"/open311/v2/services.json?jurisdiction_id={ours}").status_code == 200
    refused = client.get("/open311/v2/services.xml?jurisdiction_id=city-of-elsewhere")
    assert refused.status_code == 404
    assert "city-of-elsewhere" in xml_of(refused).findtext("error/description")


def test_openapi_description_is_served(world):
    spec = world["client"].get("/open311/v2/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/requests.json" in spec["paths"] and "/requests.xml" in spec["paths"]
