"""Decide what an upload really is from its bytes, and make images safe by re-encoding them."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import DomainError

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "application/pdf": "pdf"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is a decompression bomb
MAX_SIDE = 2560  # staff and residents read photos on screens; this keeps them light

# What browsers sniff as HTML or script, and what marks another format hidden inside.
_ACTIVE_CONTENT = re.compile(rb"<\s*(script|html|iframe|svg|body|img|a\s)|javascript:", re.I)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia)\b")


class UploadRejected(DomainError):
    """A file we won't store; the message says what to choose instead."""


@dataclass
class CheckedFile:
    content: bytes
    content_type: str
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _trailing_bytes(data: bytes, content_type: str) -> bytes:
    """What follows the image's end marker: where polyglot payloads hide."""
    if content_type == "image/jpeg":
        end = data.rfind(b"\xff\xd9")
        return data[end + 2:] if end != -1 else b""
    if content_type == "image/png":
        end = data.rfind(b"IEND")
        return data[end + 8:] if end != -1 else b""
    return b""


def check_upload(data: bytes, allowed: set[str], max_bytes: int) -> CheckedFile:
    """Return the safe content to store, or raise UploadRejected with what to do."""
    if len(data) > max_bytes:
        raise UploadRejected(_("This file is %(size)s; the limit is %(limit)s. Take a smaller "
                               "photo or scan fewer pages.", size=human_size(len(data)),
                               limit=human_size(max_bytes)))
    if not data:
        raise UploadRejected(_("This file is empty. Choose the file again."))
    content_type = sniff(data)
    if content_type is None or content_type not in allowed:
        raise UploadRejected(allowed_message(allowed))
    if _ACTIVE_CONTENT.search(data[:1024]) or _trailing_bytes(data, content_type).strip(b"\0"):
        raise UploadRejected(_("This file has something hidden inside it, so we can't accept "
                               "it. Take the photo again or save the file again."))
    if content_type == "application/pdf":
        return _check_pdf(data)
    return _reencode_image(data, content_type)


def _check_pdf(data: bytes) -> CheckedFile:
    if b"%%EOF" not in data[-1024:] or _PDF_ACTIVE.search(data) or b"PK\x05\x06" in data:
        raise UploadRejected(_("This PDF has scripts or other files inside it, so we can't "
                               "accept it. Print it to a new PDF, or take a photo instead."))
    return CheckedFile(content=data, content_type="application/pdf")


def _reencode_image(data: bytes, content_type: str) -> CheckedFile:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if IMAGE_TYPES.get(image.format) != content_type:
                raise UploadRejected(allowed_message(set(IMAGE_TYPES.values())))
            image = ImageOps.exif_transpose(image)  # keep the photo upright, then drop EXIF
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            clean = _without_metadata(image, content_type)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            ValueError) as error:
        raise UploadRejected(_("We couldn't read this picture. Take the photo again, or "
                               "choose another file.")) from error
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif content_type == "image/png":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=85)
    return CheckedFile(content=out.getvalue(), content_type=content_type,
                       width=clean.width, height=clean.height)


def _without_metadata(image: Image.Image, content_type: str) -> Image.Image:
    """A copy that carries pixels only: no EXIF, GPS, XMP or comments."""
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette())
    clean.paste(image)
    return clean


def allowed_message(allowed: set[str]) -> str:
    images = any(kind.startswith("image/") for kind in allowed)
    if images and "application/pdf" in allowed:
        return _("Choose a photo (JPEG, PNG or WebP) or a PDF.")
    if images:
        return _("Choose a photo: JPEG, PNG or WebP.")
    return _("Choose a PDF file.")


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} KB"
