import pytest

from tests.board.sections import install


@pytest.fixture
def app(make_app):
    """The app with the test board sections installed (see sections.py)."""
    return install(make_app())


@pytest.fixture
def bare_app(make_app):
    """The app as it is in this worktree: no area has registered a board section."""
    return make_app()
