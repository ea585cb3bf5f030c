"""Write a new Alembic migration from the difference between the models and the migrations.

    python scripts/new_migration.py "what changed" REVISION_ID

It builds a throwaway SQLite database at the current head, then lets Alembic compare it
with the models. Read the result before committing it, and make sure downgrade() works.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command  # noqa: E402

from portal import create_app  # noqa: E402
from portal.cli import alembic_config  # noqa: E402


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    message, revision_id = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/scratch.sqlite3"})
        with app.app_context():
            config = alembic_config()
            command.upgrade(config, "head")
            command.revision(config, message=message, autogenerate=True, rev_id=revision_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
