"""The fixtures of the areas whose forms are kept."""

from tests.activities.conftest import make_activity  # noqa: F401
from tests.aid.conftest import build_application, types  # noqa: F401
from tests.service_requests.conftest import categories, file_request  # noqa: F401
