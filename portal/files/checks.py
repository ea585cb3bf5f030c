"""Decide what an upload really is from its bytes, and make images safe by re-encoding them."""

from __future__ import annotations

import contextlib
import ctypes
import io
import re
import warnings
from dataclasses import dataclass

import pikepdf
import pillow_heif
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.errors import DomainError

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
               "HEIF": "image/heic"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "application/pdf": "pdf"}
# The pixel limits are read from the file's header and checked before anything is decoded.
# A JPEG is decoded at a reduced scale (draft), so a 40-megapixel phone photo costs about
# 2 bytes a pixel; PNG and WebP can only be decoded whole, and re-encoding one costs about
# 12 (PNG) and 30 (WebP, lossless with transparency) bytes a pixel at worst. With these limits no
# single upload takes a worker past 300 MB: measured by scripts/upload_memory.py, and held
# by tests/files/test_upload_memory.py.
MAX_PIXELS = 40_000_000
# HEIC (a phone's own format; iPhones turn it into JPEG for our accept= list, other phones may
# not) is decoded whole by libheif: a 24-megapixel one took a process from 33 to 218 MB, a
# 12-megapixel one (the limit) takes a worker to 228 MB.
MAX_PIXELS_BY_TYPE = {"image/jpeg": MAX_PIXELS, "image/png": 12_000_000,
                      "image/webp": 5_000_000, "image/heic": 12_000_000}
MAX_SIDE = 2560  # staff and residents read photos on screens; this keeps them light
pillow_heif.register_heif_opener(thumbnails=False)
# HEIF brands of still photos (not AVIF, which the opener doesn't decode).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# Pillow's own guard, as a second line: it refuses above twice this. Its warning above this
# says nothing _too_many_pixels() doesn't refuse right after reading the header.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

# What browsers sniff as HTML or script, and what marks another format hidden inside.
_ACTIVE_CONTENT = re.compile(rb"<\s*(script|html|iframe|svg|body|img|a\s)|javascript:", re.I)


class UploadRejected(DomainError):
    """A file we won't store; the message says what to choose instead."""


class StorageUnavailable(UploadRejected):
    """The upload store can't be written (read-only, full, missing). Not the person's fault:
    503, with their form and its values kept, so they can send it again later. Every form
    that shows an UploadRejected on its field shows this one the same way; the files area
    turns the form's 422 into the 503 (portal/files/__init__.py)."""

    status = 503


def _pdf_active_message() -> str:
    return _("This PDF has scripts or other files inside it, so we can't accept it. Print it "
             "to a new PDF, or take a photo instead.")


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
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
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


def too_large_message(size: int, max_bytes: int, allowed: set[str] | None = None) -> str:
    if allowed is not None and all(kind.startswith("image/") for kind in allowed):
        return _("This photo is %(size)s; the limit is %(limit)s. Choose a smaller photo.",
                 size=human_size(size), limit=human_size(max_bytes))
    return _("This file is %(size)s; the limit is %(limit)s. Take a smaller photo or scan "
             "fewer pages.", size=human_size(size), limit=human_size(max_bytes))


def check_upload(data: bytes, allowed: set[str], max_bytes: int) -> CheckedFile:
    """Return the safe content to store, or raise UploadRejected with what to do."""
    if len(data) > max_bytes:
        raise UploadRejected(too_large_message(len(data), max_bytes, allowed))
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
    # A ZIP's directory ends within 64 KB of the end of the file: a PDF/ZIP polyglot.
    if b"%%EOF" not in data[-1024:] or b"PK\x05\x06" in data[-65558:]:
        raise UploadRejected(_pdf_active_message())
    return CheckedFile(content=_without_active_content(data), content_type="application/pdf")


# --- PDFs: parsed with qpdf (pikepdf), never searched as bytes --------------------------------
# Parsing decodes #xx escapes in names (/J#61vaScript is /JavaScript) and opens compressed
# object streams, which is where a byte search went blind.

# Keys whose mere presence means something runs or something else is carried inside.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA", "/EmbeddedFile", "/EmbeddedFiles",
                    "/EF", "/RichMedia", "/RichMediaContent"}
# Actions (/S) that run code, start programs, send data or open other files.
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE",
                       "/GoToR", "/RichMediaExecute", "/Rendition", "/Movie", "/Sound"}
# Annotations that play or carry content of their own.
_PDF_ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
_PDF_MAX_OBJECTS = 200_000  # far beyond any scan or letter; parsing more is a waste


def _pdf_is_active(obj) -> bool:
    """True when this dictionary (or stream dictionary) is active content."""
    keys = set(obj.keys())
    if keys & _PDF_ACTIVE_KEYS:
        return True
    if str(obj.get("/S", "")) in _PDF_ACTIVE_ACTIONS:
        return True
    if str(obj.get("/Subtype", "")) in _PDF_ACTIVE_SUBTYPES:
        return True
    if str(obj.get("/Type", "")) == "/EmbeddedFile":
        return True
    opening = obj.get("/OpenAction")
    # "Open at page 1" (a destination, or a GoTo) is harmless; any other action is not.
    return isinstance(opening, pikepdf.Dictionary) and str(opening.get("/S", "")) != "/GoTo"


def _pdf_objects(pdf):
    """Every dictionary in the file: each indirect object (those inside object streams
    too), the trailer, and the direct dictionaries and arrays nested in them."""
    stack = [pdf.trailer, *pdf.objects]
    if len(stack) > _PDF_MAX_OBJECTS:
        raise UploadRejected(_pdf_active_message())
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            yield obj
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        # Indirect children are among pdf.objects already; only direct ones are walked here.
        stack.extend(child for child in children
                     if isinstance(child, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream)
                     and not child.is_indirect)


def _without_active_content(data: bytes) -> bytes:
    """The PDF to store: refused when it has active content; rewritten by qpdf when it had
    to be repaired (so what is stored is exactly what was checked); else kept as it came."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if any(_pdf_is_active(obj) for obj in _pdf_objects(pdf)):
                raise UploadRejected(_pdf_active_message())
            if not pdf.get_warnings():
                return data
            out = io.BytesIO()
            pdf.save(out)
            return out.getvalue()
    except pikepdf.PasswordError as error:
        raise UploadRejected(_("This PDF is locked with a password. Save or print it again "
                               "without the password, or take a photo instead.")) from error
    except (pikepdf.PdfError, RecursionError, ValueError, TypeError) as error:
        raise UploadRejected(_("We couldn't read this PDF. Save or print it again as a new "
                               "PDF, or take a photo instead.")) from error


def _too_many_pixels(width: int, height: int, content_type: str) -> bool:
    return width * height > MAX_PIXELS_BY_TYPE[content_type]


def _reencode_image(data: bytes, content_type: str) -> CheckedFile:
    try:
        return _reencoded(data, content_type)
    finally:
        # A decoded photo is tens of MB that glibc keeps for the thread's arena after it is
        # freed; without handing it back, a worker's baseline climbs with each large upload
        # until the next one passes 300 MB (measured: 216 MB before the fourth upload).
        _release_freed_memory()


def _release_freed_memory() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to hand back
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _reencoded(data: bytes, content_type: str) -> CheckedFile:
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            if IMAGE_TYPES.get(probe.format) != content_type:
                raise UploadRejected(allowed_message(set(IMAGE_TYPES.values())))
            if _too_many_pixels(*probe.size, content_type):
                raise UploadRejected(_("This picture is too large (%(width)d × %(height)d "
                                       "pixels). Take the photo again at a normal size, or "
                                       "send a smaller copy.", width=probe.width,
                                       height=probe.height))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            target = _fitted(image.size)
            image.draft(None, target)  # JPEG: decode at 1/2, 1/4 or 1/8 scale when it can
            image.thumbnail(target)  # replaces the decoded pixels with the small copy
            ImageOps.exif_transpose(image, in_place=True)  # upright, on the small copy
            clean = _without_metadata(image, content_type)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            ValueError) as error:
        raise UploadRejected(_("We couldn't read this picture. Take the photo again, or "
                               "choose another file.")) from error
    out = io.BytesIO()
    if content_type == "image/heic":  # stored as JPEG: every phone and browser shows that
        content_type = "image/jpeg"
    if content_type == "image/jpeg":
        clean.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif content_type == "image/png":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=85)
    return CheckedFile(content=out.getvalue(), content_type=content_type,
                       width=clean.width, height=clean.height)


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """The size that fits in MAX_SIDE × MAX_SIDE, keeping the proportions."""
    width, height = size
    scale = min(1.0, MAX_SIDE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


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
        megabytes = size / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    return f"{max(1, size // 1024)} KB"
