"""Imports every area's models, so that Alembic and the tests see the whole schema."""

from portal.accounts.models import User, UserGrant  # noqa: F401
from portal.board.models import BoardProfile  # noqa: F401
from portal.files.models import StoredFile  # noqa: F401
from portal.notifications.models import Notification, OutboxMessage  # noqa: F401
