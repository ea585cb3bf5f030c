import pytest

from portal.registry import registry
from tests.board.sections import install


@pytest.fixture
def app(make_app):
    """The app with the test board sections installed (see sections.py)."""
    return install(make_app())


@pytest.fixture
def bare_app(make_app):
    """An app where no area has registered a board section."""
    app = make_app()
    registry(app).board_sections.clear()
    return app
