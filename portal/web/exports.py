"""The one export helper: a table as CSV that Excel on Chinese Windows opens, or as .xlsx.

Every export in the portal goes through ``export_response``:
- UTF-8 with a byte-order mark, so Excel shows Chinese rather than mojibake;
- translated column headers, and cells as people read them (labels, local times);
- a guard on every text cell, so nothing a resident typed runs as a spreadsheet formula;
- rows read in batches from a session of the export's own (the request's session is closed
  before a streamed body is sent), streamed as CSV or written to a compact .xlsx.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime

from flask import Response, current_app, stream_with_context
from flask_babel import gettext as _

from portal.clock import local, utcnow

FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

# (session) -> rows, each a sequence of cells in the headers' order.
RowSource = Callable[[object], Iterable[Sequence]]


SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str) -> str:
    r"""A name Excel accepts for a sheet: none of []:*?/\, not starting or ending with a
    quote, at most 31 characters, never empty."""
    cleaned = " ".join(SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).split()).strip("'")
    return cleaned[:SHEET_TITLE_MAX].strip() or "Sheet1"


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: anything that could start a formula gets a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def cell(value):
    """A value as it should read in a spreadsheet cell: text or a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return str(value)


def _rows(rows_from: RowSource) -> Iterator[list]:
    session = current_app.extensions["db_sessionmaker"]()
    try:
        for row in rows_from(session):
            yield [cell(value) for value in row]
    finally:
        session.close()


def _csv_cell(value):
    return safe_text(value) if isinstance(value, str) else value


def _csv_body(headers: Sequence, rows_from: RowSource) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([safe_text(str(header)) for header in headers])
    for row in _rows(rows_from):
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() > 16_384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_file(title: str, headers: Sequence, rows_from: RowSource):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)  # rows go to disk as they come: memory stays flat
    sheet = workbook.create_sheet(title=sheet_title(title))

    def text_cell(value):
        # Typed as a string, a cell is never read as a formula, whatever it starts with.
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"
        return made

    sheet.append([text_cell(str(header)) for header in headers])
    for row in _rows(rows_from):
        sheet.append([text_cell(value) for value in row])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by _chunks
    workbook.save(spool)
    spool.seek(0)
    return spool


def _chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


def export_response(name: str, headers: Sequence, rows_from: RowSource, fmt: str = "csv",
                    title: str = "") -> Response:
    """A download of ``headers`` and the rows ``rows_from(session)`` yields.

    ``name`` is the file name without extension or date (the download is called
    ``<name>-YYYYMMDD-HHMM.<fmt>``); ``title`` names the .xlsx sheet.
    """
    fmt = fmt if fmt in FORMATS else "csv"
    filename = f"{name}-{local(utcnow()):%Y%m%d-%H%M}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"',
                   "Cache-Control": "no-store"}
    if fmt == "xlsx":
        spool = _xlsx_file(title or name, headers, rows_from)
        return Response(_chunks(spool), mimetype=XLSX_TYPE, headers=disposition)
    return Response(stream_with_context(_csv_body(headers, rows_from)),
                    content_type="text/csv; charset=utf-8", headers=disposition)
