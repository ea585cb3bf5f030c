"""The API's domain logic: keys, the services and their questions, reading and creating
requests. Never commits; views call ``service.<name>``."""

from portal.api.service.catalogue import (  # noqa: F401
    DATATYPES,
    Answer,
    active_categories,
    categories_with_questions,
    category_by_code,
    check_answers,
    questions,
    save_question,
)
from portal.api.service.creating import CHANNEL, create_request  # noqa: F401
from portal.api.service.keys import (  # noqa: F401
    AREA,
    find_key,
    hash_secret,
    issue_key,
    keys_statement,
    record_key_use,
    revoke_key,
)
from portal.api.service.reading import (  # noqa: F401
    ApiRequest,
    NotFound,
    as_api_requests,
    find_requests,
    one_request,
    request_for_token,
)
