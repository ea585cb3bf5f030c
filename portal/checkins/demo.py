"""A past check-in, closed, for the last typhoon: something to look at. None is left open: a
demo should not start in an emergency."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.checkins import service
from portal.checkins.models import RANK_HELP, RANK_SAFE, Answer, Checkin, CheckinEntry
from portal.clock import utcnow
from portal.notices.models import Alert, AlertKind, AlertLevel

FORM_KEY = "demo-checkin-typhoon"


def load(session, echo) -> None:
    if session.scalar(select(Alert.id).where(Alert.form_key == FORM_KEY)):
        echo("Check-ins: the demo's past check-in is already there.")
        return
    director_id = session.scalar(select(User.id).where(User.role == "director").limit(1))
    raised = utcnow() - timedelta(days=40)
    alert = Alert(form_key=FORM_KEY, level=AlertLevel.ORANGE.value, kind=AlertKind.TYPHOON.value,
                  text="台风“海葵”过境，请关好门窗，不要外出。", raised_at=raised,
                  expires_at=raised + timedelta(days=1), raised_by_id=director_id)
    session.add(alert)
    session.flush()
    checkin = Checkin(alert_id=alert.id, title=alert.text, opened_at=raised,
                      opened_by_id=director_id, closed_at=raised + timedelta(days=1),
                      closed_by_id=director_id)
    session.add(checkin)
    session.flush()
    service.take_roll(session, checkin.id)
    ids = list(session.scalars(select(CheckinEntry.id).where(
        CheckinEntry.checkin_id == checkin.id).order_by(CheckinEntry.id)))
    answered = raised + timedelta(hours=2)
    if ids:
        session.execute(update(CheckinEntry).where(CheckinEntry.id.in_(ids[1:])).values(
            status=Answer.SAFE.value, rank=RANK_SAFE, answered_at=answered))
        session.execute(update(CheckinEntry).where(CheckinEntry.id == ids[0]).values(
            status=Answer.HELP.value, rank=RANK_HELP, kind="supplies", people=2,
            answered_at=answered))
    echo(f"Check-ins: one closed past check-in ({len(ids)} people asked); none open.")
