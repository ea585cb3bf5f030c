"""Static files: content-hashed URLs, cached for a year, compressed once, served before Flask.

``url_for('static', filename=...)`` gains ``?v=<hash of the content>``. A request that
carries the current hash is answered ``Cache-Control: public, max-age=31536000, immutable``,
so a repeat visit asks for nothing; any other (an old hash, none at all) gets ``no-cache``
with an ETag. The files are read, hashed and compressed (brotli, gzip) once, and again only
when their size or modification time changes. This runs as WSGI middleware in front of the
Flask app: a static file costs no session, no user, no CSP and no request hooks.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qs

import brotli
from flask import Flask
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "application/json", "text/plain", "text/html"}
MIN_COMPRESS_BYTES = 500
VERSION_RECHECK_SECONDS = 1.0


@dataclass
class Asset:
    stamp: tuple[int, int]  # size and mtime in ns: when either changes the file is read again
    body: bytes
    version: str
    mimetype: str
    modified: str
    encoded: dict[str, bytes] = field(default_factory=dict)

    def body_for(self, accept_encoding: str) -> tuple[str | None, bytes]:
        if self.mimetype not in COMPRESSIBLE or len(self.body) < MIN_COMPRESS_BYTES:
            return None, self.body
        for coding in ("br", "gzip"):
            if coding in accept_encoding:
                if coding not in self.encoded:
                    self.encoded[coding] = (brotli.compress(self.body, quality=11)
                                            if coding == "br" else
                                            gzip.compress(self.body, 9, mtime=0))
                return coding, self.encoded[coding]
        return None, self.body


class StaticFiles:
    """Serves ``url_path``/… from ``folder``; everything else goes on to ``app``."""

    def __init__(self, app, folder: str, url_path: str) -> None:
        self.app = app
        self.folder = folder
        self.prefix = url_path.rstrip("/") + "/"
        self._assets: dict[str, Asset] = {}
        self._versions: dict[str, tuple[float, str | None]] = {}

    def asset(self, filename: str) -> Asset | None:
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        stamp = (info.st_size, info.st_mtime_ns)
        known = self._assets.get(filename)
        if known is None or known.stamp != stamp:
            body = Path(path).read_bytes()
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            known = self._assets[filename] = Asset(
                stamp, body, hashlib.sha256(body).hexdigest()[:12], mimetype,
                formatdate(info.st_mtime, usegmt=True))
        return known

    def version(self, filename: str) -> str | None:
        """The hash a page links to. Looked at on disk at most once a second per file:
        every page links nine files, and a stat each was a tenth of a millisecond a page;
        a file changed on disk still gets its new URL within the second."""
        now = time.monotonic()
        known = self._versions.get(filename)
        if known is not None and now - known[0] < VERSION_RECHECK_SECONDS:
            return known[1]
        asset = self.asset(filename)
        version = asset.version if asset else None
        if len(self._versions) > 1000:  # the templates name a few dozen files
            self._versions.clear()
        self._versions[filename] = (now, version)
        return version

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix) or environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        asset = self.asset(path[len(self.prefix):])
        if asset is None:
            return self.app(environ, start_response)  # Flask answers the 404 page
        coding, body = asset.body_for(environ.get("HTTP_ACCEPT_ENCODING", ""))
        etag = f'"{asset.version}{"-" + coding if coding else ""}"'
        wanted = parse_qs(environ.get("QUERY_STRING", "")).get("v", [""])[0]
        headers = [
            ("Cache-Control", IMMUTABLE if wanted == asset.version else REVALIDATE),
            ("ETag", etag),
            ("Last-Modified", asset.modified),
            ("Vary", "Accept-Encoding"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return [b""]
        content_type = asset.mimetype
        if content_type.startswith("text/") or content_type.endswith(("javascript", "+xml")):
            content_type += "; charset=utf-8"
        headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        if coding:
            headers.append(("Content-Encoding", coding))
        start_response("200 OK", headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def init_app(app: Flask) -> None:
    static = StaticFiles(app.wsgi_app, app.static_folder, app.static_url_path)
    app.wsgi_app = static
    app.extensions["static_files"] = static

    @app.url_defaults
    def hashed_static_urls(endpoint, values):
        if endpoint == "static" and "v" not in values:
            version = static.version(values.get("filename", ""))
            if version:
                values["v"] = version
