"""Activities and sign-ups: reading, the seat rules under one row lock, staff work, and the
calendar feeds (kept in ``portal.activities.calendar``). Never commits.

Views call ``service.<name>``; each name lives in the module of its job.
"""

from portal.activities.calendar import feed_activities, find_feed, reset_feed  # noqa: F401
from portal.activities.service.reading import (  # noqa: F401
    ACTIVE,
    CANCELLED,
    CONFIRMED,
    STAFF_HOME_DAYS,
    WAITLISTED,
    activities_with_attendance,
    attendees_statement,
    cover_visible_to_anyone,
    get_any,
    get_visible,
    my_signups_statement,
    rating_counts,
    seats_taken,
    seats_taken_expression,
    signup_of,
    signups_statement,
    staff_overview,
    staff_statement,
    upcoming_statement,
    waitlist_length,
    waitlist_position,
)
from portal.activities.service.seats import (  # noqa: F401
    NotFound,
    NotSignedUp,
    cancel_signup,
    may_rate,
    promote,
    rate,
    sign_up,
    signup_problem,
)
from portal.activities.service.staff import (  # noqa: F401
    AREA,
    AUDIT_ACTIONS,
    EDITABLE,
    EXPORT_HEADERS,
    audit,
    check_in_by_code,
    create_activity,
    export_rows,
    find_by_form_key,
    set_attendance,
    update_activity,
)
