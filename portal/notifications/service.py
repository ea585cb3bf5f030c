"""Notifications: the in-app inbox and the outbox that senders deliver. Never commits.

Messages say what happened in words ("您反映的“3号楼楼道灯坏了”已办结"), and may travel by
SMS or e-mail: a message carries only what its reader may see. A request's owner is reminded
of their own description (``excerpt``); a follower gets the public summary only. A value
that differs by language (a category's name) is kept in every language (``in_each_language``)
and shown in the reader's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import current_app
from flask_babel import force_locale, get_locale, gettext, pgettext
from flask_babel.speaklater import LazyString
from sqlalchemy import JSON, Select, String, func, insert, literal, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.clock import utcnow
from portal.db import UTCDateTime
from portal.notifications.models import Notification, OutboxMessage
from portal.web.pagination import Page, paginate

# gettext's own separator between a message's context and its text.
CONTEXT_SEPARATOR = "\x04"


def _msgid(message) -> str:
    """The untranslated source text of a lazy string made with _l(), or with lazy_pgettext():
    then its context comes first, as gettext keeps it, so the text is translated in context."""
    if isinstance(message, LazyString):
        if getattr(message._func, "__name__", "") == "pgettext":
            return CONTEXT_SEPARATOR.join(message._args[:2])
        return message._args[0]
    return str(message)


EXCERPT_LENGTH = 20
# A run of digits as long as a phone or ID number: masked in an excerpt, which may be an SMS.
_LONG_NUMBER = re.compile(r"\d{7,}[\dXx]?")


def excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of what someone wrote, on one line, with any phone or
    ID number in it masked: enough to recognise it, short enough for a text message."""
    line = " ".join((text or "").split())
    line = _LONG_NUMBER.sub(lambda match: match.group()[:3] + "…", line)
    return line if len(line) <= length else line[:length].rstrip(" ，。、；,.;") + "…"


def in_each_language(build: Callable[[], str]) -> dict[str, str]:
    """``build()`` in each of the portal's languages, as a message parameter: the inbox and
    the outbox show the reader's."""
    languages = current_app.config["LANGUAGES"]
    said = {}
    for language in languages:
        with force_locale(language):
            said[language] = str(build())
    return said


def _in_reader_language(value):
    if not isinstance(value, dict):
        return value
    return value.get(str(get_locale())) or value.get("zh_Hans_CN") or next(
        iter(value.values()), "")


def notify(session: Session, user_ids: int | Iterable[int], message, *, link: str | None = None,
           outbox: bool = True, **params) -> None:
    """Put a message in each person's inbox, and in the outbox for delivery.

    ``message`` is an _l() string with %(name)s placeholders filled from ``params``.
    """
    if isinstance(user_ids, int):
        user_ids = [user_ids]
    msgid = _msgid(message)
    for user_id in dict.fromkeys(user_ids):
        session.add(Notification(user_id=user_id, message=msgid, params=params, link=link))
        if outbox:
            session.add(OutboxMessage(user_id=user_id, message=msgid, params=params))


def take_back(session: Session, user_id: int, message, *, link: str, ref: str) -> None:
    """Unsay ``message`` about ``ref``: what was undone (an aid application taken back within
    its minutes) leaves no message saying it happened. Its inbox line goes, read or not, and
    its outbox line if it was not delivered yet; one already delivered can't be unsent."""
    msgid = _msgid(message)
    for line in session.scalars(select(Notification).where(
            Notification.user_id == user_id, Notification.link == link,
            Notification.message == msgid)):
        session.delete(line)
    for line in session.scalars(select(OutboxMessage).where(
            OutboxMessage.user_id == user_id, OutboxMessage.message == msgid,
            OutboxMessage.sent_at.is_(None))):
        if (line.params or {}).get("ref") == ref:
            session.delete(line)


def notify_selected(session: Session, user_ids: Select, message, *, link: str | None = None,
                    outbox: bool = True, **params) -> None:
    """``notify`` for everyone a SELECT of user ids returns, as one INSERT ... SELECT each.

    For messages to thousands of people at once (an emergency alert to every resident).
    """
    msgid, now = _msgid(message), utcnow()
    user_ids = user_ids.subquery()
    common = [user_ids.c[0], literal(msgid, String), literal(params, JSON)]
    session.execute(insert(Notification).from_select(
        ["user_id", "message", "params", "link", "created_at"],
        select(*common, literal(link, String), literal(now, UTCDateTime))))
    if outbox:
        session.execute(insert(OutboxMessage).from_select(
            ["user_id", "message", "params", "created_at", "attempts"],
            select(*common, literal(now, UTCDateTime), literal(0))))


def render_text(message: str, params: dict) -> str:
    params = {name: _in_reader_language(value) for name, value in (params or {}).items()}
    context, _separator, text = message.rpartition(CONTEXT_SEPARATOR)
    if context:
        return pgettext(context, text, **params)
    return gettext(text, **params) if params else gettext(text)


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def inbox_page(session: Session, user_id: int, number: int, per_page: int = 20) -> Page:
    statement = (select(Notification).where(Notification.user_id == user_id)
                 .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return paginate(session, statement, number, per_page)


def open_notification(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the person's own notifications read; None if it isn't theirs."""
    notification = session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id))
    if notification is not None and notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(session: Session, user_id: int) -> None:
    session.execute(update(Notification)
                    .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))


def deliver_outbox(session: Session, sender, *, batch: int = 100, max_attempts: int = 5) -> dict:
    """Send pending outbox messages. Several servers may run this at once on PostgreSQL."""
    statement = (select(OutboxMessage, User)
                 .join(User, User.id == OutboxMessage.user_id)
                 .where(OutboxMessage.sent_at.is_(None),
                        OutboxMessage.attempts < max_attempts)
                 .order_by(OutboxMessage.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=OutboxMessage)
    counts = {"sent": 0, "failed": 0}
    for message, user in session.execute(statement):
        message.attempts += 1
        with force_locale(user.locale or "zh_Hans_CN"):
            text = render_text(message.message, message.params)
        try:
            sender.send(user, text)
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the rest
            message.last_error = str(error)[:500]
            counts["failed"] += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            counts["sent"] += 1
    return counts
