"""A schema-driven fuzz test (schemathesis) over /open311/v2/openapi.json: every operation,
both formats, no 5xx, and every answer true to the described status codes, content types
and (for JSON) schemas. Half the POSTs carry a real key and a real service code, so creating
is fuzzed too."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.api import service as api
from portal.service_requests import service

EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def open311_app(make_app):
    app = make_app(API_RATE_LIMIT_PER_KEY="100000 per minute",
                   API_RATE_LIMIT_PER_ADDRESS="100000 per minute")
    session = app.extensions["db_sessionmaker"]()
    from portal.accounts.models import User

    director = User(phone="13900000098", name="主任", password_hash="x", role="director")
    session.add(director)
    session.commit()
    with app.app_context():
        service.seed_categories(session)
        repair = next(c for c in service.categories(session) if c.key == "repair")
        api.save_question(session, None, category=repair, prompt_zh="是否有人有危险？",
                                prompt_en="Is anyone in danger?", datatype="singlevaluelist",
                                required=False, options="是\n否", position=1, active=True)
        _key, secret = api.issue_key(session, director, name="fuzz", may_read_details=True,
                                  may_create=True)
    session.commit()
    session.close()
    app.config["FUZZ_SECRET"] = secret
    return app


def test_no_5xx_and_every_answer_matches_the_schema(open311_app):
    """Driven through schemathesis' strategies (its pytest plugin predates pytest 9)."""
    schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", open311_app)
    secret = open311_app.config["FUZZ_SECRET"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14  # 7 operations, each in .json and .xml
    calls, parsed = [], []

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            if case.method == "POST" and isinstance(case.body, dict) and len(calls) % 2:
                case.body.update(api_key=secret, service_code="noise")
                if len(calls) % 3 == 1:  # and now and then all that creating needs
                    case.body.update(description="楼道灯坏了", address_string="3号楼 2单元")
            # Plain bodies: the checks read them as sent (compression has its own tests).
            response = case.call(headers={"Accept-Encoding": "identity"})
            calls.append(response.status_code)
            case.validate_response(response, checks=CHECKS)
            if response.headers.get("content-type", [""])[0].startswith("text/xml"):
                ElementTree.fromstring(response.content)  # noqa: S314 - well-formed, always
                parsed.append(response.status_code)

        fuzz()
    assert len(calls) >= len(operations) * 10
    assert 201 in calls  # creating was reached, not only refused
    assert len(parsed) >= len(operations) * 5
