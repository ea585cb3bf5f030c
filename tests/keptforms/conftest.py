from tests.service_requests.conftest import categories  # noqa: F401
