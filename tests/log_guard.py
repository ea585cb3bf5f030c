"""Every log record written while the tests run is checked: none may hold an 18-digit ID
number or an 11-digit mobile number (DESIGN: never in a log line). The records are looked at
as a handler would write them, traceback included."""

from __future__ import annotations

import logging
import re
import traceback

PERSONAL = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")


def written_text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record: judge its raw parts
        text = f"{record.msg} {record.args}"
    if record.exc_text:
        text += "\n" + record.exc_text
    elif record.exc_info and record.exc_info[0] is not None:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    return text


class PersonalDataGuard(logging.Handler):
    """Collects the records that carry personal data."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.offending: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = written_text(record)
        match = PERSONAL.search(text)
        if match:
            start = max(match.start() - 60, 0)
            self.offending.append(f"{record.name}: …{text[start:match.end() + 20]}…")
