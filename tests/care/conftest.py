import pytest

from portal.accounts.roles import Role
from portal.care import service
from portal.clock import today
from tests.aid.conftest import types  # noqa: F401  (referrals file aid for a family)
from tests.service_requests.conftest import categories, file_request  # noqa: F401


@pytest.fixture
def add_person(db, app):
    """add_person(worker, **values) -> a person on the register in that worker's grid."""
    counter = iter(range(1, 1000))

    def build(worker=None, **values):
        number = next(counter)
        fields = {"name": f"关爱对象{number}", "phone": None, "building": "3号楼",
                  "unit": "1单元", "room": f"{100 + number}", "categories": ["alone"],
                  "needs": ["home_visit"], "frequency": "weekly", "risk": "medium",
                  "legal_basis": "consent", "consent_on": today(),
                  "grid_worker_id": worker.id if worker else None,
                  "health": "糖尿病", "contacts": "李四 儿子 13700001111",
                  "id_number": None, "notes": "怕冷"}
        fields.update(values)
        with app.test_request_context():
            person = service.add_person(db, SYSTEM, fields, today())
            db.commit()
        return person

    return build


class _System:
    id = None


SYSTEM = _System()


@pytest.fixture
def grid_worker_client(staff_client):
    return staff_client(Role.GRID_WORKER)
