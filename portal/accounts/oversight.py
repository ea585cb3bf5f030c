"""Which teams a deputy director oversees (分管): the escalations and bad-rating follow-ups of a
team's requests go to the deputies who oversee that team, not to every deputy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.accounts.service import may_manage
from portal.audit.service import record
from portal.errors import DomainError

# The teams whose work a deputy can oversee: the roles requests and aid are routed to.
TEAMS = (Role.GRID_WORKER, Role.CIVIL_AFFAIRS, Role.GOVERNANCE, Role.CULTURE)


def set_oversees(session: Session, deputy: User, teams: list[str], acting: User) -> None:
    if deputy.role != Role.DEPUTY_DIRECTOR.value:
        raise DomainError(_l("Only a deputy director oversees teams."))
    if not may_manage(acting, deputy):
        raise DomainError(_l("You can't do that: this account would have permissions that "
                             "you don't have yourself. Ask the director."))
    chosen = [team.value for team in TEAMS if team.value in set(teams)]
    if chosen == deputy.oversees_teams:
        return
    deputy.oversees = ",".join(chosen)
    record(session, acting, "accounts", "oversees_changed", f"#{deputy.id} {deputy.name}",
           ", ".join(str(Role(team).label) for team in chosen))


def deputies_for(session: Session, team: str | None) -> list[int]:
    """The active deputies who oversee ``team``; every active deputy when none is named for
    it (an office that never said who oversees what keeps hearing of everything)."""
    deputies = list(session.execute(select(User.id, User.oversees).where(
        User.role == Role.DEPUTY_DIRECTOR.value, User.active.is_(True)).order_by(User.id)))
    overseeing = [uid for uid, oversees in deputies if team and team in oversees.split(",")]
    return overseeing or [uid for uid, _oversees in deputies]
