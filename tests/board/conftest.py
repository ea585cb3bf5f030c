import pytest

from portal.registry import registry
from tests.board.sections import install


@pytest.fixture
def app(fresh_app):
    """The app with the test board sections installed (see sections.py)."""
    return install(fresh_app)


@pytest.fixture
def bare_app(fresh_app):
    """An app where no area has registered a board section."""
    registry(fresh_app).board_sections.clear()
    return fresh_app
