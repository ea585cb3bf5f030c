"""The OpenAPI description of /open311/v2/ (served at /open311/v2/openapi.json). The suite's
schema-driven fuzz test reads it: keep it true to what the views answer."""

from __future__ import annotations

DATETIME = {"type": "string", "format": "date-time"}
TEXT = {"type": "string"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


def _object(needed: list[str], /, **properties) -> dict:
    return {"type": "object", "required": needed, "properties": properties}


SCHEMAS = {
    "Error": _object(["code", "description"], code={"type": "integer"}, description=TEXT),
    "Discovery": _object(
        ["changeset", "contact", "key_service", "endpoints"], changeset=DATETIME,
        contact=TEXT, key_service=TEXT,
        endpoints={"type": "array", "items": _object(
            ["specification", "url", "changeset", "type", "formats"], specification=TEXT,
            url=TEXT, changeset=DATETIME, type={"type": "string",
                                                "enum": ["production", "test"]},
            formats={"type": "array", "items": TEXT})}),
    "Service": _object(
        ["service_code", "service_name", "description", "metadata", "type", "keywords",
         "group"], service_code=TEXT, service_name=TEXT, description=TEXT,
        metadata={"type": "boolean"}, type={"type": "string", "enum": ["realtime"]},
        keywords=TEXT, group=TEXT),
    "ServiceDefinition": _object(
        ["service_code", "attributes"], service_code=TEXT,
        attributes={"type": "array", "items": _object(
            ["variable", "code", "datatype", "required", "datatype_description", "order",
             "description"], variable={"type": "boolean"}, code=TEXT,
            datatype={"type": "string", "enum": ["string", "number", "datetime", "text",
                                                 "singlevaluelist", "multivaluelist"]},
            required={"type": "boolean"}, datatype_description=TEXT,
            order={"type": "integer"}, description=TEXT,
            values={"type": "array", "items": _object(["key", "name"], key=TEXT,
                                                      name=TEXT)})}),
    "ServiceRequest": _object(
        ["service_request_id", "status", "service_name", "service_code",
         "agency_responsible", "requested_datetime", "updated_datetime",
         "expected_datetime", "address"],
        service_request_id=TEXT, status={"type": "string", "enum": ["open", "closed"]},
        status_notes=TEXT, service_name=TEXT, service_code=TEXT, description=TEXT,
        agency_responsible=TEXT, requested_datetime=DATETIME, updated_datetime=DATETIME,
        expected_datetime=DATETIME, address=TEXT, media_url=TEXT),
    "Created": _object(["service_request_id", "token"], service_request_id=TEXT, token=TEXT,
                       service_notice=TEXT),
    "Token": _object(["service_request_id", "token"], service_request_id=TEXT, token=TEXT),
}


def _query(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or TEXT}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": TEXT}


COMMON = [
    _query("jurisdiction_id", "This community's id; any other is refused."),
    _query("locale", "zh_CN or en: the language of names and error descriptions."),
]
KEY = _query("api_key", "A key issued by the community office (also the X-Api-Key header).")
FILTERS = [
    _query("service_request_id", "References, comma-separated; other filters are then "
           "ignored."),
    _query("service_code", "Service codes, comma-separated."),
    _query("start_date", "W3C datetime; at most 90 days before end_date.", type="string",
           format="date-time"),
    _query("end_date", "W3C datetime.", type="string", format="date-time"),
    _query("status", "open or closed, comma-separated."),
]
ERRORS = {"400": "A field is missing or invalid.", "403": "The api_key is missing, unknown "
          "or revoked, or may not do this.", "404": "No such service, request, token or "
          "jurisdiction.", "429": "Too many calls."}
CREATE_FIELDS = _object(
    ["api_key", "service_code", "description", "address_string"], api_key=TEXT,
    service_code=TEXT, description={"type": "string", "maxLength": 4000},
    address_string={"type": "string", "description": "Building, then unit and room: "
                    "3号楼 2单元 501."},
    lat={"type": "number"}, long={"type": "number"}, email=TEXT, device_id=TEXT,
    account_id=TEXT, first_name=TEXT, last_name=TEXT, phone=TEXT, media_url=TEXT,
    jurisdiction_id=TEXT)


def _responses(ok: str, schema: dict, fmt: str) -> dict:
    def content(body_schema):
        if fmt == "json":
            return {"application/json": {"schema": body_schema}}
        return {"text/xml": {"schema": {"type": "string"}}}

    responses = {ok: {"description": "Success.", "content": content(schema)}}
    for status, text in ERRORS.items():
        responses[status] = {"description": text, "content": content(_list_of("Error"))}
    return responses


def _operation(summary: str, ok_schema: dict, fmt: str, parameters=(), ok: str = "200",
               body: dict | None = None) -> dict:
    operation = {"summary": summary, "parameters": [*COMMON, *parameters],
                 "responses": _responses(ok, ok_schema, fmt)}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": body}}}
    return operation


def _paths(fmt: str) -> dict:
    return {
        f"/discovery.{fmt}": {"get": _operation("Discovery", _ref("Discovery"), fmt)},
        f"/services.{fmt}": {"get": _operation("The services (request categories)",
                                               _list_of("Service"), fmt)},
        f"/services/{{service_code}}.{fmt}": {"get": _operation(
            "A service's definition: its extra questions", _ref("ServiceDefinition"), fmt,
            [_path("service_code")])},
        f"/requests.{fmt}": {
            "get": _operation("Requests, newest first, at most 1,000",
                              _list_of("ServiceRequest"), fmt, [KEY, *FILTERS]),
            "post": _operation("Create a request", _list_of("Created"), fmt, ok="201",
                               body=CREATE_FIELDS)},
        f"/requests/{{service_request_id}}.{fmt}": {"get": _operation(
            "One request", _list_of("ServiceRequest"), fmt,
            [KEY, _path("service_request_id")])},
        f"/tokens/{{token}}.{fmt}": {"get": _operation(
            "The request a token stands for", _list_of("Token"), fmt, [_path("token")])},
    }


def description(base_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Linli Open311 GeoReport v2", "version": "2",
                 "description": "Open311 GeoReport v2 for the requests of one community. "
                                "Without a key, requests show their public summary only."},
        "servers": [{"url": base_url}],
        "paths": {**_paths("json"), **_paths("xml")},
        "components": {"schemas": SCHEMAS},
    }
