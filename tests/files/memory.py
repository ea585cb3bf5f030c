"""The peak memory of a real gunicorn worker during one upload (finding 4 of issue 12).

Shared by tests/files/test_upload_memory.py and scripts/upload_memory.py. The worker's peak
resident set (VmHWM in /proc) is reset just before the upload (clear_refs 5), so the figure
is the highest the worker reached while it handled that one file.
"""

from __future__ import annotations

import http.client
import io
import os
import struct
import subprocess
import sys
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def png_header_bomb(width: int = 8900, height: int = 8900) -> bytes:
    """A real, valid RGB PNG of width × height pixels, all black: ~300 KB on disk, 237 MB
    once decoded. Written row by row, so making it costs no memory either."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + width * 3)  # filter byte, then the pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def smooth_image(mode: str, size: tuple[int, int]) -> Image.Image:
    """A gradient: compresses well, so the largest accepted pixel count fits in 8 MB."""
    gradient = Image.linear_gradient("L").resize(size)
    if mode == "L":
        return gradient
    bands = {"RGB": 3, "RGBA": 4}[mode]
    return Image.merge(mode, [gradient] * bands)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def worst_uploads() -> dict[str, tuple[str, bytes]]:
    """The worst single uploads: the bomb from the issue, and the largest of each format
    that the checks accept, with transparency where the format has it (the costliest)."""
    from portal.files.checks import MAX_PIXELS_BY_TYPE

    def largest(content_type, width=4000):
        return width, MAX_PIXELS_BY_TYPE[content_type] // width

    jpeg, png, webp, heic = (largest("image/jpeg", 7900), largest("image/png"),
                             largest("image/webp"), largest("image/heic"))
    return {
        "png 8900x8900 (the issue's bomb)": ("bomb.png", png_header_bomb()),
        f"jpeg {jpeg[0]}x{jpeg[1]}": (
            "big.jpg", encoded(smooth_image("RGB", jpeg), "JPEG", quality=90)),
        f"png rgba {png[0]}x{png[1]}": (
            "big.png", encoded(smooth_image("RGBA", png), "PNG", compress_level=9)),
        f"webp rgba {webp[0]}x{webp[1]}": (
            "big.webp", encoded(smooth_image("RGBA", webp), "WEBP", lossless=True, quality=0)),
        # libheif decodes it whole; encoding it here takes a few seconds (x265).
        f"heic {heic[0]}x{heic[1]}": (
            "big.heic", encoded(smooth_image("RGB", heic), "HEIF", quality=50)),
    }


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def one_worker(database_url: str, secret_key: str, upload_dir: str):
    """gunicorn -w 1 on a free port; yields (port, worker pid)."""
    port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": secret_key,
           "PORTAL_UPLOAD_DIR": upload_dir, "PORTAL_DEVELOPMENT": "1",
           # As deploy/linli-web.service and scripts/start run gunicorn (gunicorn.conf.py).
           "MALLOC_ARENA_MAX": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "1", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if send(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)  # waiting for the server to start, not for time to pass
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 1, children
        yield port, int(children[0])
    finally:
        process.terminate()
        process.wait(timeout=20)


def send(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]):
    boundary = uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                     f"\r\n\r\n{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                     f"\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def kilobytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def upload_peak(port: int, pid: int, cookie: str, token: str, filename: str,
                data: bytes) -> tuple[int, str, int, int]:
    """(HTTP status, page, resident MB before, peak MB during) for one photo sent to
    /requests/new, the form residents use most."""
    body, content_type = multipart({"csrf_token": token}, {"photos": (filename, data)})
    before = kilobytes(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak to what it is now
    status, html = send(port, "POST", "/requests/new", body,
                        {"Content-Type": content_type, "Cookie": cookie})
    return status, html, before // 1024, kilobytes(pid, "VmHWM") // 1024
