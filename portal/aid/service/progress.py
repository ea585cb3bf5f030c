"""What a resident reads about their application: every stage, done or to come, with its dates,
and what they have to do now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.aid.models import AidApplication, AidEvent
from portal.aid.service.rules import FINAL, STAGE_LABELS
from portal.aid.service.stages import decision_due, notice_text


@dataclass
class Step:
    stage: str
    label: object
    state: str  # done, current, upcoming
    day: date | None = None
    due_on: date | None = None
    notice: str = ""
    todo: object = ""


def progress_steps(session: Session, application: AidApplication) -> list[Step]:
    """Every stage the application goes through, done or still to come, with its dates.

    A stage's due date is the one set when the stage before it began.
    """
    if application.kind == "emergency":
        plan = ["submitted", "accepted", "emergency_paid", "completed"]
    elif application.aid_type.needs_notice:
        plan = ["submitted", "accepted", "investigation", "notice", "decision"]
    else:
        plan = ["submitted", "accepted", "investigation", "decision"]
    latest: dict[str, AidEvent] = {}
    for event in application.events:
        latest["decision" if event.stage in ("approved", "refused") else event.stage] = event
    steps: list[Step] = []
    previous_due = None
    waiting = application.stage not in FINAL and application.stage != "returned"
    for stage in plan:
        event = latest.get(stage)
        if stage == "decision":
            label = STAGE_LABELS[event.stage] if event else _l("Decision")
        else:
            label = STAGE_LABELS[stage]
        if event is not None:
            steps.append(Step(stage, label, "done", event.day, previous_due,
                              notice_text(event)))
            previous_due = event.due_on
        elif waiting and application.stage != "draft":
            due = decision_due(session, application) if stage == "decision" \
                else application.stage_due_on
            steps.append(Step(stage, label, "next", None, due))
            waiting = False
        else:
            steps.append(Step(stage, label, "upcoming"))
    return steps


def resident_todo(application: AidApplication):
    if application.stage == "draft":
        return _l("Finish the sections and send the application.")
    if application.stage == "returned":
        return _l("Send the items listed below, then send the application again.")
    if application.stage == "emergency_paid":
        return _l("Bring or upload the remaining papers so we can complete your file.")
    return None
