"""Requests: the rules, deadlines, categories, life cycle, queue and figures. Never commits.

Views call ``service.<name>``; each name lives in the module of its job.
"""

from portal.service_requests.service.bulk import (  # noqa: F401
    ACCEPT,
    ASSIGN,
    BULK_ACTIONS,
    BULK_LIMIT,
    MERGE,
    PRIORITY,
    REPLY,
    BulkChoice,
    BulkOutcome,
    bulk,
)
from portal.service_requests.service.categories import (  # noqa: F401
    DEFAULT_CATEGORIES,
    DEFAULT_TEMPLATES,
    SETTINGS_ACTIONS,
    categories,
    reply_templates,
    save_category,
    save_template,
    seed_categories,
    seed_reference_data,
)
from portal.service_requests.service.chasing import (  # noqa: F401
    STREET_OUTCOMES,
    escalate_long_overdue,
    street_answer,
    to_street_office,
    urge,
)
from portal.service_requests.service.duplicates import likely_duplicates  # noqa: F401
from portal.service_requests.service.figures import (  # noqa: F401
    figures_fingerprint,
    month_figures,
    panel_counts,
    resolved_between_statement,
)
from portal.service_requests.service.intake import (  # noqa: F401
    by_key,
    find_resident,
    patrol,
    record,
)
from portal.service_requests.service.lifecycle import (  # noqa: F401
    ENDING_BY_STAFF,
    assign,
    change_category_priority,
    check_merge,
    check_not_merged,
    check_staff_change,
    close_resolved_unrated,
    find_by_key,
    follow,
    follower_ids,
    is_follower,
    may_assign_to_others,
    merge,
    reply,
    submit,
    transition,
    triage_staff,
    withdraw,
)
from portal.service_requests.service.queue import (  # noqa: F401
    EXPORT_HEADERS,
    FIGURE_LABELS,
    QUEUE_ORDER,
    QUEUE_ROW_OPTIONS,
    SEARCH_KIND,
    QueueFilters,
    export_rows,
    get_for_staff,
    index_text,
    open_clause,
    queue_page_statement,
    queue_statement,
    staff_scope,
    text_search,
)
from portal.service_requests.service.rate_groups import (  # noqa: F401
    grouped_counts,
    grouped_ratings,
)
from portal.service_requests.service.rate_ranges import range_counts  # noqa: F401
from portal.service_requests.service.rates import (  # noqa: F401
    FIGURE_NAMES,
    Narrowing,
    figure_clause,
    in_population,
    rating_counts,
    request_counts,
    resolved_in_period,
    satisfaction,
    time_percentiles,
)
from portal.service_requests.service.reading import (  # noqa: F401
    SUMMARY_OPTIONS,
    RequestSummary,
    as_seen_by,
    by_ref,
    followed_summary,
    may_see_photo,
    own_request,
    owned_refs,
    photos,
    public_summaries,
    public_summary,
    resident_statement,
    similar_open,
    summary_of,
    summary_timeline,
    timeline,
)
from portal.service_requests.service.reopened import (  # noqa: F401
    REOPENED_BY_DISPUTE,
    REOPENED_BY_RATING,
    back_with,
    dispute,
    rate,
)
from portal.service_requests.service.rules import (  # noqa: F401
    ACCEPTED,
    AREA,
    AUDIT_ACTIONS,
    CHANNEL_LABELS,
    CLOSED,
    DUPLICATE,
    HOTLINE,
    IN_PROGRESS,
    ON_BEHALF,
    OPEN,
    OWNER,
    PATROL,
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
    UNFINISHED,
    WITH_STREET,
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
