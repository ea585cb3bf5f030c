"""Fixtures the backup tests borrow from the requests area."""

from tests.service_requests.conftest import categories, file_request  # noqa: F401
