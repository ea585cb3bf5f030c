"""Survey rules: building, answering once, and reading the results. Never commits.

Views call ``service.<name>``; each name lives in the module of its job. Demo and benchmark
helpers live in ``portal.surveys.demo``.
"""

from portal.surveys.service.answering import (  # noqa: F401
    AlreadyAnswered,
    SurveyClosed,
    answer_rows,
    answered_statement,
    has_answered,
    open_surveys_for,
    parse_answers,
    submit,
    visible_survey,
)
from portal.surveys.service.builder import (  # noqa: F401
    AREA,
    AUDIT_ACTIONS,
    MAX_OPTIONS,
    OPTION_MAX,
    QuestionsLocked,
    add_question,
    audit,
    check_question,
    clean_options,
    close_now,
    copy_survey,
    create_survey,
    first_day,
    get_question,
    get_survey,
    last_day,
    minutes_needed,
    move_question,
    panel,
    publish,
    questions_locked,
    remove_question,
    set_summary,
    staff_statement,
    update_question,
    update_settings,
)
from portal.surveys.service.results import (  # noqa: F401
    TEXT_PREVIEW,
    Bar,
    QuestionResult,
    ResponseExport,
    Results,
    nps,
    response_export,
    results,
    text_answers_page,
)
