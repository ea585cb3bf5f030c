"""A form sent with more than MAX_CONTENT_LENGTH (three 22 MB phone photos): read it anyway,
within bounds, so the person gets their form back with what they typed and each photo's real
size, instead of a bare 413. Beyond the bounds, the 413 page itself says the real size."""

from __future__ import annotations

import tempfile

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.formparser import FormDataParser
from werkzeug.wsgi import get_input_stream

from portal.files.checks import human_size

# Bodies up to this many times the limit are read (written to disk, never held in memory);
# nginx's client_max_body_size stops larger ones before they reach us.
RECOVER_FACTOR = 2
# A part larger than this is counted, not kept: more than any area's own limit (minutes' PDFs
# are 20 MB), so it is refused by its size without its bytes.
PART_CAP = 32 * 1024 * 1024


class CountedPart:
    """A file part that keeps its bytes up to PART_CAP and beyond that only counts them:
    seeking to its end still gives the real size, which store_upload reports."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
        self.size = 0
        self._position = 0

    @property
    def kept(self) -> bool:
        return self.size <= PART_CAP

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.kept:
            self._file.write(chunk)
        elif not self._file.closed:
            self._file.close()  # free the disk: these bytes will never be read
        return len(chunk)

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.kept:
            return self._file.seek(offset, whence)
        base = {0: 0, 1: self._position, 2: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._file.tell() if self.kept else self._position

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size) if self.kept else b""

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


def _counted_part(*_args, **_kwargs) -> CountedPart:
    return CountedPart()


def read_oversized_form() -> None:
    """Parse a too-large multipart body before anything else touches request.form (so before
    CSRF protection): the views then see every field and file, and refuse the large files
    by their real size like any other."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    length = request.content_length
    if (not limit or length is None or length <= limit or length > limit * RECOVER_FACTOR
            or request.mimetype != "multipart/form-data"):
        return
    parser = FormDataParser(stream_factory=_counted_part,
                            max_form_memory_size=request.max_form_memory_size,
                            max_form_parts=request.max_form_parts,
                            cls=request.parameter_storage_class)
    stream = get_input_stream(request.environ, max_content_length=None)
    stream, form, files = parser.parse(stream, request.mimetype, length,
                                       request.mimetype_params)
    request.__dict__.update(stream=stream, form=form, files=files)


def too_large_page(_error):
    from portal.web.errors import error_page

    limit = human_size(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    length = request.content_length
    if length:
        message = _("What you sent is %(size)s; the most we take at once is %(limit)s. Go back "
                    "and choose fewer or smaller photos or files.", size=human_size(length),
                    limit=limit)
    else:
        message = _("What you sent is more than %(limit)s, the most we take at once. Go back "
                    "and choose fewer or smaller photos or files.", limit=limit)
    return error_page(413, _("That was too much to send"), message)


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, read_oversized_form)
    app.register_error_handler(413, too_large_page)
