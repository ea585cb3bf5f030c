"""What the benchmark measures: one row per page of the issue's tables."""

from __future__ import annotations

from dataclasses import dataclass

# wrk sends this, and so does the in-process client: flask-login's session protection ties
# the forged session to the address and the User-Agent.
USER_AGENT = "linli-bench"


@dataclass(frozen=True)
class Measure:
    key: str
    path: str
    who: str  # "hello", "anonymous", "director" or "resident"
    group: str  # the row of the target table it belongs to
    revalidate: bool = False  # send the ETag back: the 304 path


MEASURES = (
    Measure("floor-anonymous", "/healthz", "anonymous", "floor"),
    Measure("floor-signed-in", "/healthz", "director", "floor"),
    Measure("queue", "/staff/queue", "director", "queue"),
    Measure("queue-submitted-p1", "/staff/queue?status=submitted&priority=1", "director",
            "queue"),
    Measure("queue-status-all", "/staff/queue?status=all", "director", "queue"),
    Measure("queue-unassigned", "/staff/queue?assignee=unassigned", "director", "queue"),
    Measure("queue-category", "/staff/queue?category=3", "director", "queue"),
    Measure("queue-building", "/staff/queue?building=5号楼", "director", "queue"),
    Measure("queue-overdue", "/staff/queue?overdue=1", "director", "queue"),
    Measure("queue-team", "/staff/queue?team=grid_worker", "director", "queue"),
    Measure("queue-search", "/staff/queue?q=楼道", "director", "queue"),
    Measure("queue-deep-page", "/staff/queue?status=all&page=2000", "director", "queue"),
    Measure("staff-home", "/staff/", "director", "staff home"),
    Measure("resident-requests", "/requests/", "resident", "resident"),
    Measure("resident-activities", "/activities/", "resident", "resident"),
    Measure("resident-minutes", "/minutes/", "resident", "resident"),
    Measure("resident-notices", "/notices/", "resident", "resident"),
    Measure("board-304", "/board/content", "anonymous", "board 304", revalidate=True),
)

TARGETS = {"floor": 0.45, "queue": 0.15, "staff home": 0.15, "resident": 0.20,
           "board 304": 0.40}


def selected(only: str | None) -> list[Measure]:
    """Measures whose key contains any of the comma-separated words in ``only``."""
    if not only:
        return list(MEASURES)
    words = [word.strip() for word in only.split(",") if word.strip()]
    return [m for m in MEASURES if any(word in m.key for word in words)]
