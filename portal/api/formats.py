"""The two formats of GeoReport v2: JSON, and XML with the specification's element names.

Views build plain values (dicts, lists, strings, booleans, datetimes) and hand them here with
the XML root name; a list inside an item becomes a wrapper element holding one child per
value, named by ``ITEM_NAMES``. A None value is left out in both formats.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from xml.etree import ElementTree

from flask import Response

from portal.clock import SHANGHAI

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}

# The element each value of a list is wrapped in, by the list's own element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def w3c(moment: datetime) -> str:
    """2026-12-03T14:30:00+08:00: the community's wall clock with its offset."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def _plain(value):
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)  # lazy strings, among others


# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _element(parent: ElementTree.Element, name: str, value) -> None:
    if value is None:
        return
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _element(child, ITEM_NAMES.get(name, "item"), item)
    else:
        child.text = _text(value)


def to_xml(root: str, value) -> bytes:
    """``value`` under ``<root>``: a list gives one ITEM_NAMES[root] child per item."""
    value = _plain(value)
    element = ElementTree.Element(root)
    if isinstance(value, list):
        for item in value:
            _element(element, ITEM_NAMES[root], item)
    else:
        for key, item in value.items():
            _element(element, key, item)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, value, status: int = 200) -> Response:
    if fmt == "json":
        body = json.dumps(_plain(value), ensure_ascii=False)
        response = Response(body, status=status, mimetype=MIMETYPES["json"])
    else:
        response = Response(to_xml(root, value), status=status,
                            content_type="text/xml; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def errors(fmt: str, status: int, description) -> Response:
    """The specification's error list: one error with the HTTP code and what to fix."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status)
