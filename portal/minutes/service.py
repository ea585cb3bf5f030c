"""Meetings, their minutes, versions and resolutions. Never commits."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.accounts.roles import Permission
from portal.audit.service import record
from portal.clock import utcnow
from portal.errors import DomainError
from portal.files.models import StoredFile
from portal.minutes.models import (
    OPEN_STATUSES,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingVersion,
    Resolution,
    ResolutionStatus,
    ResolutionUpdate,
)
from portal.registry import AuditAction
from portal.search import service as search

AREA = "minutes"
CONTENT_FIELDS = ("kind", "title", "held_on", "place", "attendance", "agenda", "minutes")
AUDIT_ACTIONS = tuple(AuditAction(AREA, key, label) for key, label in (
    ("minutes_created", _l("Drafted minutes")),
    ("minutes_edited", _l("Edited minutes")),
    ("minutes_published", _l("Published minutes")),
    ("attachment_added", _l("Attached a file to minutes")),
    ("attachment_removed", _l("Removed a file from minutes")),
    ("resolution_added", _l("Added a resolution")),
    ("resolution_removed", _l("Removed a resolution")),
    ("resolution_progress", _l("Reported a resolution's progress")),
))


def _audit(session: Session, actor, action: str, meeting: Meeting, detail: str = "") -> None:
    record(session, actor, AREA, action, f"#{meeting.id} {meeting.title}", detail)


# ---- reading (public) -----------------------------------------------------------------

SEARCH_KIND = "meeting"


def published_statement(kind: str | None = None, year: int | None = None,
                        matching_ids: list[int] | None = None) -> Select:
    """Published meetings, newest first; ``matching_ids`` are a text search's matches
    (search_text), None for no search."""
    statement = select(Meeting).where(Meeting.published.is_(True))
    if kind in {item.value for item in MeetingKind}:
        statement = statement.where(Meeting.kind == kind)
    if year:
        statement = statement.where(Meeting.held_on >= date(year, 1, 1),
                                    Meeting.held_on < date(year + 1, 1, 1))
    if matching_ids is not None:
        statement = statement.where(Meeting.id.in_(matching_ids))
    return statement.order_by(Meeting.held_on.desc(), Meeting.id.desc())


def search_text(session: Session, query: str) -> list[int] | None:
    """The meetings whose title, place, agenda or minutes have every word of the query
    (the search service); None when there is no query."""
    if not query:
        return None
    matches = search.search(session, SEARCH_KIND, query[:100])
    return matches.ids if matches else []


def _index_text(session: Session, meeting: Meeting) -> None:
    search.index(session, SEARCH_KIND, meeting.id, meeting.title, meeting.place or "",
                 meeting.agenda or "", meeting.minutes or "")


def published_years(session: Session) -> list[int]:
    """Every year from the newest published meeting back to the oldest: one query."""
    first, last = session.execute(select(func.min(Meeting.held_on), func.max(Meeting.held_on))
                                  .where(Meeting.published.is_(True))).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def resolution_counts(session: Session, meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(resolutions, done) per meeting, for a page of meetings in one query."""
    if not meeting_ids:
        return {}
    done = func.sum(func.cast(Resolution.status == ResolutionStatus.DONE.value,
                              Resolution.progress.type))
    rows = session.execute(select(Resolution.meeting_id, func.count(), done)
                           .where(Resolution.meeting_id.in_(meeting_ids))
                           .group_by(Resolution.meeting_id))
    return {meeting_id: (count, int(finished or 0)) for meeting_id, count, finished in rows}


def get_published(session: Session, meeting_id: int) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(Meeting.id == meeting_id, Meeting.published.is_(True))
        .options(selectinload(Meeting.resolutions).selectinload(Resolution.updates),
                 selectinload(Meeting.attachments)))


def versions(session: Session, meeting_id: int) -> list[MeetingVersion]:
    return list(session.scalars(select(MeetingVersion)
                                .where(MeetingVersion.meeting_id == meeting_id)
                                .order_by(MeetingVersion.version.desc())))


def get_version(session: Session, meeting_id: int, number: int) -> MeetingVersion | None:
    return session.scalar(select(MeetingVersion).where(MeetingVersion.meeting_id == meeting_id,
                                                       MeetingVersion.version == number))


def following(session: Session, meeting: Meeting, number: int):
    """What replaced version ``number``: the next stored version, or the meeting itself."""
    return get_version(session, meeting.id, number + 1) or meeting


@dataclass
class Change:
    field: str
    old: str
    new: str
    lines: list[tuple[str, str]]  # (" " | "-" | "+", text) for multi-line fields


def changes(old, new) -> list[Change]:
    """What differs between two versions, field by field; text fields as a line diff."""
    found = []
    for name in CONTENT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        lines = []
        if name in ("agenda", "minutes"):
            for line in difflib.ndiff(str(before).splitlines(), str(after).splitlines()):
                if line[:1] in (" ", "-", "+"):
                    lines.append((line[0], line[2:]))
        found.append(Change(name, str(before), str(after), lines))
    return found


def open_resolutions_statement() -> Select:
    return (select(Resolution, Meeting)
            .join(Meeting, Meeting.id == Resolution.meeting_id)
            .where(Meeting.published.is_(True),
                   Resolution.status.in_([status.value for status in OPEN_STATUSES]))
            .order_by(Resolution.due_on.is_(None), Resolution.due_on, Resolution.id))


def latest_updates(session: Session, resolution_ids: list[int]) -> dict[int, ResolutionUpdate]:
    """The newest update of each resolution, in one query."""
    if not resolution_ids:
        return {}
    newest = (select(func.max(ResolutionUpdate.id))
              .where(ResolutionUpdate.resolution_id.in_(resolution_ids))
              .group_by(ResolutionUpdate.resolution_id))
    rows = session.scalars(select(ResolutionUpdate).where(ResolutionUpdate.id.in_(newest)))
    return {update.resolution_id: update for update in rows}


def recent_published(session: Session, limit: int = 3) -> list[Meeting]:
    return list(session.scalars(select(Meeting).where(Meeting.published.is_(True))
                                .order_by(Meeting.published_at.desc(), Meeting.id.desc())
                                .limit(limit)))


def open_resolutions(session: Session, limit: int = 5) -> list[tuple[Resolution, Meeting]]:
    return [tuple(row) for row in session.execute(open_resolutions_statement().limit(limit))]


# ---- staff ------------------------------------------------------------------------------

def staff_statement() -> Select:
    return select(Meeting).order_by(Meeting.published, Meeting.held_on.desc(), Meeting.id.desc())


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(Meeting.id == meeting_id)
        .options(selectinload(Meeting.resolutions).selectinload(Resolution.updates),
                 selectinload(Meeting.attachments)))


def create_meeting(session: Session, *, author_id: int, form_key: str, actor=None,
                   **fields) -> Meeting:
    """A new draft. Submitting the same form twice returns the first draft."""
    existing = session.scalar(select(Meeting).where(Meeting.form_key == form_key))
    if existing is not None:
        return existing
    meeting = Meeting(form_key=form_key, created_by_id=author_id,
                      **{name: fields[name] for name in CONTENT_FIELDS})
    session.add(meeting)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same form, submitted at the same moment
        return session.scalar(select(Meeting).where(Meeting.form_key == form_key))
    _index_text(session, meeting)
    _audit(session, actor, "minutes_created", meeting)
    return meeting


def edit_meeting(session: Session, meeting: Meeting, actor, *, based_on: int,
                 **fields) -> bool:
    """Change a meeting. A published one keeps what it said before as a version.

    ``based_on`` is the version the editor started from: if someone else saved in between,
    the edit is refused rather than silently overwriting theirs. Returns whether anything changed.
    """
    if based_on != meeting.version:
        raise DomainError(_l(
            "Someone else saved these minutes while you were editing. Reload the page and "
            "make your change again."))
    if all(getattr(meeting, name) == fields[name] for name in CONTENT_FIELDS):
        return False
    now = utcnow()
    if meeting.published:
        session.add(MeetingVersion(
            meeting_id=meeting.id, version=meeting.version,
            published_at=meeting.revised_at or meeting.published_at, replaced_at=now,
            **{name: getattr(meeting, name) for name in CONTENT_FIELDS}))
        meeting.version += 1
        meeting.revised_at = now
    for name in CONTENT_FIELDS:
        setattr(meeting, name, fields[name])
    session.flush()  # the unique (meeting, version) stops two concurrent edits
    _index_text(session, meeting)
    _audit(session, actor, "minutes_edited", meeting,
           f"v{meeting.version}" if meeting.published else "")
    return True


def publish(session: Session, meeting: Meeting, actor=None) -> bool:
    if meeting.published:
        return False
    _audit(session, actor, "minutes_published", meeting)
    meeting.published = True
    meeting.published_at = utcnow()
    for resolution in meeting.resolutions:
        resolution.updated_at = meeting.published_at  # shows on the board at once
    return True


def add_resolution(session: Session, meeting: Meeting, *, form_key: str, text: str,
                   responsible: str, due_on: date | None, actor=None) -> Resolution:
    existing = session.scalar(select(Resolution).where(Resolution.form_key == form_key))
    if existing is not None:
        return existing
    resolution = Resolution(meeting=meeting, form_key=form_key, text=text,
                            responsible=responsible, due_on=due_on)
    session.add(resolution)
    session.flush()
    _audit(session, actor, "resolution_added", meeting, text[:100])
    return resolution


def get_resolution(session: Session, meeting_id: int, resolution_id: int) -> Resolution | None:
    return session.scalar(select(Resolution).where(Resolution.id == resolution_id,
                                                   Resolution.meeting_id == meeting_id))


def remove_resolution(session: Session, resolution: Resolution, actor) -> None:
    """Only a draft's resolutions can go: once published, they are on the record."""
    if resolution.meeting.published:
        raise DomainError(_l("A published resolution stays on the record. Report its progress "
                             "instead, or mark it shelved."))
    _audit(session, actor, "resolution_removed", resolution.meeting, resolution.text[:100])
    session.delete(resolution)


def add_update(session: Session, resolution: Resolution, *, form_key: str, note: str,
               status: str, progress: int, author_id: int,
               at: datetime | None = None, actor=None) -> ResolutionUpdate:
    """A dated step on the timeline; the resolution takes its status and percentage.

    Progress is reported on published minutes only: a draft's resolutions may still change.
    """
    existing = session.scalar(select(ResolutionUpdate)
                              .where(ResolutionUpdate.form_key == form_key))
    if existing is not None:
        return existing
    if not resolution.meeting.published:
        raise DomainError(_l("Publish the minutes first; then you can report progress."))
    status = ResolutionStatus(status)
    progress = 100 if status is ResolutionStatus.DONE else max(0, min(100, progress))
    update = ResolutionUpdate(resolution=resolution, form_key=form_key, note=note,
                              status=status.value, progress=progress, author_id=author_id,
                              created_at=at or utcnow())
    session.add(update)
    resolution.status = status.value
    resolution.progress = progress
    resolution.updated_at = update.created_at
    session.flush()
    _audit(session, actor, "resolution_progress", resolution.meeting,
           f"{resolution.text[:60]}: {status.value} {progress}%")
    return update


def attach_files(session: Session, meeting: Meeting, files: list[StoredFile], actor) -> None:
    for stored in files:
        stored.attached = True
        meeting.attachments.append(MeetingAttachment(file_id=stored.id, file=stored))
        _audit(session, actor, "attachment_added", meeting, stored.original_name)
    meeting.updated_at = utcnow()


def remove_attachment(session: Session, meeting: Meeting, attachment_id: int, actor) -> bool:
    for attachment in meeting.attachments:
        if attachment.id == attachment_id:
            _audit(session, actor, "attachment_removed", meeting, attachment.file.original_name)
            meeting.attachments.remove(attachment)
            meeting.updated_at = utcnow()
            return True
    return False


def may_view_file(session: Session, user, stored: StoredFile) -> bool:
    """Anyone may open an attachment of published minutes; a draft's only its editors."""
    if user is not None and user.is_authenticated and user.can(Permission.PUBLISH_MINUTES):
        return True
    return session.scalar(
        select(func.count()).select_from(MeetingAttachment)
        .join(Meeting, Meeting.id == MeetingAttachment.meeting_id)
        .where(MeetingAttachment.file_id == stored.id, Meeting.published.is_(True))) > 0


# ---- the staff home ----------------------------------------------------------------------

def panel_counts(session: Session, today: date) -> dict:
    """Drafts waiting to be published, and open resolutions past their due date."""
    drafts = select(func.count()).select_from(Meeting).where(Meeting.published.is_(False))
    overdue = select(func.count()).select_from(open_resolutions_statement()
                                               .where(Resolution.due_on < today)
                                               .order_by(None).subquery())
    row = session.execute(select(drafts.scalar_subquery().label("drafts"),  # one statement
                                 overdue.scalar_subquery().label("overdue"))).one()
    return {"drafts": row.drafts or 0, "overdue": row.overdue or 0}


# ---- the board ----------------------------------------------------------------------------

def board_fingerprint(now: datetime, profile=None) -> list:
    """The newest change to any meeting or resolution: each maximum is the last entry of an
    index, so the board's 304 costs the same with ten thousand meetings as with ten. Drafts
    move them too (a needless refresh at worst); only a draft's resolutions can be deleted,
    and a draft is not shown."""
    return [select(func.max(Meeting.updated_at)).scalar_subquery(),
            select(func.max(Resolution.updated_at)).scalar_subquery(),
            select(func.max(Resolution.id)).scalar_subquery()]
