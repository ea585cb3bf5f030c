import pytest

from portal.accounts.roles import Role


@pytest.fixture
def make_user(make_user):
    """People in these tests read English, so the assertions read the source messages."""

    def build(role=Role.RESIDENT, **fields):
        fields.setdefault("locale", "en")
        return make_user(role, **fields)

    return build
