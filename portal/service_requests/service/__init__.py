"""Requests: the rules, deadlines, categories, life cycle, queue and figures. Never commits.

Views call ``service.<name>``; each name lives in the module of its job.
"""

from portal.service_requests.service.categories import (  # noqa: F401
    DEFAULT_CATEGORIES,
    DEFAULT_TEMPLATES,
    categories,
    reply_templates,
    save_category,
    save_template,
    seed_categories,
    seed_reference_data,
)
from portal.service_requests.service.figures import (  # noqa: F401
    figures_fingerprint,
    month_figures,
    panel_counts,
    resolved_between_statement,
)
from portal.service_requests.service.lifecycle import (  # noqa: F401
    assign,
    bulk,
    change_category_priority,
    close_resolved_unrated,
    find_by_key,
    follow,
    follower_ids,
    is_follower,
    may_assign_to_others,
    merge,
    rate,
    reply,
    submit,
    transition,
    triage_staff,
    withdraw,
)
from portal.service_requests.service.queue import (  # noqa: F401
    EXPORT_HEADERS,
    QueueFilters,
    export_rows,
    get_for_staff,
    queue_page_statement,
    queue_statement,
    staff_scope,
)
from portal.service_requests.service.reading import (  # noqa: F401
    by_ref,
    get_for_resident,
    may_see_photo,
    photos,
    resident_statement,
    similar_open,
    timeline,
)
from portal.service_requests.service.rules import (  # noqa: F401
    ACCEPTED,
    AREA,
    CLOSED,
    DUPLICATE,
    IN_PROGRESS,
    OPEN,
    OWNER,
    PRIORITY_LABELS,
    REF_PATTERN,
    REF_PREFIX,
    REJECTED,
    REOPENED_MESSAGE,
    REPLY_MESSAGE,
    RESOLVED,
    ROUTING_ROLES,
    STAFF,
    STATUS_LABELS,
    STATUS_MESSAGES,
    STATUSES,
    SUBMITTED,
    SYSTEM,
    TRANSFERRED,
    TRANSITIONS,
    TRIAGE_ROLES,
    WITHDRAWN,
    allowed_next,
    check_transition,
)
from portal.service_requests.service.sla import (  # noqa: F401
    CONFIG_DEFAULTS,
    Sla,
    is_overdue,
    overdue_clause,
    priority_for,
    rating_open,
)
