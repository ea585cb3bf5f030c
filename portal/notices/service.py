"""Announcements, who has read them, and emergency alerts. Never commits."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from portal.accounts.roles import Permission
from portal.accounts.service import active_residents_statement
from portal.audit.service import record
from portal.clock import utcnow
from portal.files.models import StoredFile
from portal.notices.models import Alert, AlertKind, AlertLevel, Notice, NoticeRead
from portal.notifications.service import notify_selected
from portal.registry import AuditAction

AREA = "notices"
NOTICE_FIELDS = ("kind", "title", "body", "pinned", "expires_at")
AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("notice_published", _l("Published a notice")),
    ("notice_edited", _l("Edited a notice")),
    ("notice_withdrawn", _l("Withdrew a notice")),
    ("alert_raised", _l("Raised a warning")),
    ("alert_withdrawn", _l("Withdrew a warning")),
))


def _audit(session: Session, actor, action: str, target: str, detail: str = "") -> None:
    record(session, actor, AREA, action, target, detail)


# ---- notices ------------------------------------------------------------------------------

def visible(now: datetime):
    """Published, not withdrawn, not expired at ``now``: what residents and the board see."""
    return and_(Notice.withdrawn_at.is_(None),
                or_(Notice.expires_at.is_(None), Notice.expires_at > now))


def listing_statement(now: datetime) -> Select:
    return (select(Notice).where(visible(now))
            .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc()))


def get_visible(session: Session, notice_id: int, now: datetime) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.id == notice_id, visible(now)))


def read_ids(session: Session, user_id: int, notice_ids: list[int]) -> set[int]:
    if not notice_ids:
        return set()
    return set(session.scalars(select(NoticeRead.notice_id).where(
        NoticeRead.user_id == user_id, NoticeRead.notice_id.in_(notice_ids))))


def has_read(session: Session, user_id: int, notice_id: int) -> bool:
    return bool(read_ids(session, user_id, [notice_id]))


def mark_read(session: Session, user_id: int, notice_id: int) -> None:
    """Idempotent: reading twice, or in two tabs at once, records one read."""
    if has_read(session, user_id, notice_id):
        return
    try:
        with session.begin_nested():
            session.add(NoticeRead(user_id=user_id, notice_id=notice_id))
    except IntegrityError:
        pass


def staff_statement() -> Select:
    return select(Notice).order_by(Notice.published_at.desc(), Notice.id.desc())


def get_notice(session: Session, notice_id: int) -> Notice | None:
    return session.get(Notice, notice_id)


def save_notice(session: Session, notice: Notice | None, *, form_key: str, author_id: int,
                attachment: StoredFile | None, actor=None, **fields) -> Notice:
    """Publish a new notice, or change one. The same form submitted twice publishes one."""
    action = "notice_edited" if notice is not None else "notice_published"
    if notice is None:
        notice = session.scalar(select(Notice).where(Notice.form_key == form_key))
        if notice is not None:
            return notice
        notice = Notice(form_key=form_key, created_by_id=author_id)
        session.add(notice)
    changed = [name for name in NOTICE_FIELDS if getattr(notice, name) != fields[name]]
    for name in changed:
        setattr(notice, name, fields[name])
    if attachment is not None:
        attachment.attached = True
        notice.attachment = attachment
    session.flush()
    if changed or attachment is not None:  # saved unchanged: nothing happened to record
        _audit(session, actor, action, f"#{notice.id} {notice.title}")
    return notice


def withdraw_notice(notice: Notice, actor) -> None:
    if notice.withdrawn_at is None:
        notice.withdrawn_at = utcnow()
        _audit(object_session(notice), actor, "notice_withdrawn", f"#{notice.id} {notice.title}")


def may_view_file(session: Session, user, stored: StoredFile) -> bool:
    """Anyone may open the attachment of a notice residents can see; staff any notice's."""
    if user is not None and user.is_authenticated and user.can(Permission.PUBLISH_NOTICES):
        return True
    return session.scalar(select(func.count()).select_from(Notice).where(
        Notice.attachment_id == stored.id, visible(utcnow()))) > 0


# ---- alerts -------------------------------------------------------------------------------

def active(now: datetime):
    return and_(Alert.withdrawn_at.is_(None), Alert.expires_at > now)


_SEVERITY = case({level.value: level.rank for level in AlertLevel}, value=Alert.level)


def active_alerts(session: Session, now: datetime, limit: int = 3) -> list[Alert]:
    """The alerts in force, most severe first."""
    return list(session.scalars(select(Alert).where(active(now))
                                .order_by(_SEVERITY.desc(), Alert.raised_at.desc()).limit(limit)))


def alerts_statement() -> Select:
    return select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc())


def raise_alert(session: Session, *, form_key: str, level: str, kind: str, text: str,
                expires_at: datetime, author_id: int, link: str | None = None,
                actor=None) -> Alert:
    """Raise an alert and tell every resident, once, however often the form is sent."""
    existing = session.scalar(select(Alert).where(Alert.form_key == form_key))
    if existing is not None:
        return existing
    alert = Alert(form_key=form_key, level=AlertLevel(level).value, kind=AlertKind(kind).value,
                  text=text, expires_at=expires_at, raised_by_id=author_id)
    session.add(alert)
    session.flush()
    _audit(session, actor, "alert_raised", f"#{alert.id} {text}", alert.level)
    notify_selected(session, active_residents_statement(),
                    _l("Emergency warning from the community office: %(text)s"), link=link,
                    text=text)
    return alert


def get_alert(session: Session, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def withdraw_alert(alert: Alert, actor) -> None:
    if alert.withdrawn_at is None:
        alert.withdrawn_at = utcnow()
        _audit(object_session(alert), actor, "alert_withdrawn", f"#{alert.id} {alert.text}")


# ---- the staff home -----------------------------------------------------------------------

def panel_counts(session: Session, now: datetime, alerts: list[Alert] | None = None) -> dict:
    """The alerts in force (given when already read), and how many notices residents see."""
    return {"alerts": active_alerts(session, now) if alerts is None else alerts,
            "notices": session.scalar(select(func.count()).select_from(Notice)
                                      .where(visible(now))) or 0}


# ---- the board ----------------------------------------------------------------------------

def alerts_fingerprint(now: datetime, profile=None) -> list:
    return [select(func.count()).select_from(Alert).where(active(now)).scalar_subquery(),
            select(func.max(Alert.updated_at)).scalar_subquery()]


def notices_fingerprint(now: datetime, profile=None) -> list:
    return [select(func.count()).select_from(Notice).where(visible(now)).scalar_subquery(),
            select(func.max(Notice.updated_at)).scalar_subquery()]
