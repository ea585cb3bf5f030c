"""QR codes as inline SVG, for section templates: {{ qr_svg(url_for(..., _external=True)) }}."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urljoin

import segno
from flask import request
from markupsafe import Markup, escape


@lru_cache(maxsize=512)
def _svg(url: str) -> str:
    # Dark on white with the standard quiet zone, sized by CSS (.board-qr) through viewBox.
    return segno.make(url, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="board-qr",
        lineclass=None)


def qr_svg(url: str, label: str | None = None) -> Markup:
    """An inline SVG QR code for url (made absolute against this site if it is relative).

    With a label it is an image with that accessible name; without one it is hidden from
    assistive technology, for when the item's title sits right next to it.
    """
    absolute = urljoin(request.url_root, url)
    svg = _svg(absolute)
    if label:
        attrs = f' role="img" aria-label="{escape(label)}"'
    else:
        attrs = ' aria-hidden="true" focusable="false"'
    return Markup(svg.replace("<svg ", f"<svg{attrs} ", 1))  # noqa: S704 - segno's own SVG
