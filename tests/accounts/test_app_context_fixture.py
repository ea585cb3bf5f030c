"""The test fixture app_context: two clients inside it are still two people."""

from portal.accounts.roles import Role
from tests.conftest import sign_in


def test_two_clients_in_one_app_context_are_two_people(app, app_context, make_user):
    director, worker = make_user(Role.DIRECTOR), make_user(Role.GRID_WORKER)
    first, second = app.test_client(), app.test_client()
    sign_in(first, director)
    sign_in(second, worker)
    assert first.get("/staff/figures").status_code == 200
    assert second.get("/staff/figures").status_code == 403
