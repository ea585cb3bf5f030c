"""Small helpers that keep redirects on our own site."""

from __future__ import annotations

from urllib.parse import urlsplit

from portal.web.inputs import has_control_characters


def safe_next_url(target: str | None) -> str | None:
    """Accept only a local path, so ?next= can't send anyone to another site, and nothing
    that can't go into a Location header (a CR/LF, any control character)."""
    if not target or has_control_characters(target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
