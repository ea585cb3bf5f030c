"""What a request's owner and followers are told, in words:
您反映的“3号楼楼道灯坏了”已办结，请评价。

The owner is reminded of their own request by the first words of its description. A
follower only ever gets the public summary, the category and the building: the description
is the owner's private detail.
"""

from __future__ import annotations

from flask_babel import get_locale, pgettext
from flask_babel import lazy_gettext as _l

from portal.notifications.service import excerpt, in_each_language, notify
from portal.service_requests.service.rules import (
    ACCEPTED,
    CLOSED,
    DUPLICATE,
    IN_PROGRESS,
    REJECTED,
    RESOLVED,
    TRANSFERRED,
    WITH_STREET,
    WITHDRAWN,
)
from portal.web.address import address
from portal.web.i18n import format_deadline, format_moment

REOPENED, REPLY, RECORDED = "reopened", "reply", "recorded"
ACCEPTED_WITH_REPLY = "accepted_with_reply"  # 接单并回复: one message, not two

TO_OWNER = {
    ACCEPTED: _l("Your request “%(about)s” has been accepted. We aim to finish it %(by)s."),
    IN_PROGRESS: _l("Your request “%(about)s” is being handled."),
    RESOLVED: _l("Your request “%(about)s” has been resolved. Please tell us how it was "
                 "handled."),
    CLOSED: _l("Your request “%(about)s” is closed."),
    REJECTED: _l("Your request “%(about)s” could not be accepted. Open it to see why."),
    DUPLICATE: _l("Your request “%(about)s” was merged into %(target)s, which you now "
                  "follow."),
    TRANSFERRED: _l("Your request “%(about)s” was passed to another office. Open it for "
                    "details."),
    WITHDRAWN: _l("Your request “%(about)s” was withdrawn."),
    REOPENED: _l("Your request “%(about)s” has been reopened."),
    REPLY: _l("The community office replied to your request “%(about)s”."),
    ACCEPTED_WITH_REPLY: _l("Your request “%(about)s” has been accepted and the community "
                            "office replied. We aim to finish it %(by)s."),
    WITH_STREET: _l("Your request “%(about)s” has been passed to the street office. We "
                    "will tell you what they answer."),
    RECORDED: _l("The community office recorded a request for you: “%(about)s”. You can "
                 "follow it here."),
}

TO_FOLLOWERS = {
    ACCEPTED: _l("A request you follow (%(what)s) has been accepted."),
    IN_PROGRESS: _l("A request you follow (%(what)s) is being handled."),
    RESOLVED: _l("A request you follow (%(what)s) has been resolved."),
    CLOSED: _l("A request you follow (%(what)s) is closed."),
    REJECTED: _l("A request you follow (%(what)s) could not be accepted. Open it to see why."),
    DUPLICATE: _l("A request you follow (%(what)s) was merged into %(target)s, which you "
                  "now follow."),
    TRANSFERRED: _l("A request you follow (%(what)s) was passed to another office. Open it "
                    "for details."),
    WITHDRAWN: _l("A request you follow (%(what)s) was withdrawn."),
    REOPENED: _l("A request you follow (%(what)s) has been reopened."),
    REPLY: _l("The community office replied on a request you follow (%(what)s)."),
    ACCEPTED_WITH_REPLY: _l("A request you follow (%(what)s) has been accepted, with a reply "
                            "from the community office."),
    WITH_STREET: _l("A request you follow (%(what)s) has been passed to the street office."),
}

# What the staff handling a request are told when it is chased (催办, 督办): the reference
# and the public summary, as staff notices say it.
URGED = _l("Request %(ref)s (%(what)s) was urged by %(name)s: please deal with it by "
           "%(due)s. %(note)s")
ESCALATED = _l("Request %(ref)s (%(what)s) is more than %(hours)s hours overdue and has been "
               "escalated to you.")


def public_what(request) -> dict[str, str]:
    """The request's public summary in a few words, in each language: 3号楼·噪音扰民."""
    def said():
        category = request.category.name(str(get_locale())) if request.category else ""
        if not request.building:
            return category
        return pgettext("a request's category and building",
                        "%(category)s, %(building)s", category=category,
                        building=address(request.building))

    return in_each_language(said)


def tell(session, request, what: str, recipients, *, link: str | None = None,
         **params) -> None:
    """Tell ``recipients`` (the owner among them or not) that ``what`` happened to ``request``:
    the owner in the words of their own description, everyone else by the public summary."""
    recipients = [uid for uid in dict.fromkeys(recipients) if uid is not None]
    link = link or f"/requests/{request.ref}"
    if what in (ACCEPTED, ACCEPTED_WITH_REPLY):
        params.setdefault("by", in_each_language(lambda: format_deadline(request.resolve_by)))
    if request.owner_id in recipients:
        notify(session, request.owner_id, TO_OWNER[what], link=link, ref=request.ref,
               about=excerpt(request.description), **params)
    followers = [uid for uid in recipients if uid != request.owner_id]
    if followers:
        notify(session, followers, TO_FOLLOWERS[what], link=link, ref=request.ref,
               what=public_what(request), **params)



# What the handler of a reopened request is told, by why it reopened (lifecycle.REOPENED_BY_*).
TO_HANDLER = {
    "rating": _l("Request %(ref)s (%(what)s) is back with you: the resident was not "
                 "satisfied with how it was handled. Resolve it by %(due)s."),
    "dispute": _l("Request %(ref)s (%(what)s) is back with you: the resident says it is not "
                  "solved yet. Resolve it by %(due)s."),
}


def tell_handler(session, request, why: str, handler_id: int | None) -> None:
    """Tell the staff member handling a reopened request that it is theirs again, and by
    when: staff may read the request, so the words are its summary and its new deadline."""
    if handler_id is None:
        return
    notify(session, handler_id, TO_HANDLER[why], link=f"/staff/requests/{request.ref}",
           ref=request.ref, what=public_what(request),
           due=in_each_language(lambda: format_moment(request.resolve_by)))
