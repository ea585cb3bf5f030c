"""An existing Open311 client (the georeport package from PyPI) against the portal served on
loopback: it lists the services, reads a definition, and reads requests in both formats.
The library has no call for creating a request; POST is covered in test_requests.py."""

from __future__ import annotations

import threading

import pytest
from georeport import GeoReport
from werkzeug.serving import make_server

from portal.api import service as api


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(app, db, served, categories,
                                                      resident_request, fmt):
    with app.app_context():
        api.save_question(db, None, category=categories["repair"],
                                prompt_zh="是否有人有危险？", prompt_en="Is anyone in danger?",
                                datatype="singlevaluelist", required=True, options="是\n否",
                                position=1, active=True)
    db.commit()
    client = GeoReport(served, jurisdiction=app.config["OPEN311_JURISDICTION_ID"],
                       output_format=fmt)
    services = client.get_service_list()
    codes = [service["service_code"] for service in services]
    assert "repair" in codes and "noise" in codes
    definition = client.get_service_definition("repair")
    # xmltodict makes a single child a dict, not a list
    attribute = definition["attributes"]["attribute"] if fmt == "xml" else \
        definition["attributes"][0]
    assert attribute["code"].startswith("q") and attribute["datatype"] == "singlevaluelist"
    one = client.get_service_request(resident_request.ref)
    assert one["service_request_id"] == resident_request.ref
    assert one["status"] == "open" and "description" not in one
    listed = client.get_service_requests(service_code="repair", status="open")
    if fmt == "xml":
        listed = [listed] if isinstance(listed, dict) else listed
    assert [item["service_request_id"] for item in listed] == [resident_request.ref]
