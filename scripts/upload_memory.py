"""Measure the peak memory of one gunicorn worker during the worst single uploads.

    python scripts/upload_memory.py

Starts `gunicorn -w 1` on a throwaway SQLite database, signs a resident in, and sends each
of the worst uploads (the 8900x8900 PNG of issue 12, and the largest JPEG, PNG and WebP the
checks accept) to /requests/new, reading the worker's peak resident set (VmHWM, reset before
each upload) from /proc. Linux only.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.cli import upgrade_database  # noqa: E402
from tests.activities import wave  # noqa: E402
from tests.files import memory  # noqa: E402

SECRET = "upload-memory-measurement"  # noqa: S105 - a throwaway database


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/measure.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET,
                          "UPLOAD_DIR": f"{folder}/uploads", "DEVELOPMENT": True})
        with app.app_context():
            upgrade_database()
        session = app.extensions["db_sessionmaker"]()
        user = User(phone="13800009999", name="测量", password_hash="-", role="resident",  # noqa: S106
                    building="1号楼", unit="1单元", room="101")
        session.add(user)
        session.commit()
        cookie, token = wave.session_cookies(app, session, [user.id])[user.id]
        uploads = memory.worst_uploads()
        with memory.one_worker(url, SECRET, f"{folder}/uploads") as (port, pid):
            small = memory.encoded(memory.smooth_image("RGB", (800, 600)), "JPEG")
            memory.upload_peak(port, pid, cookie, token, "warm-up.jpg", small)
            print(f"{'upload':<36} {'bytes':>10} {'status':>6} {'before':>7} {'peak':>6}")
            worst = 0
            for label, (filename, data) in uploads.items():
                status, _html, before, peak = memory.upload_peak(port, pid, cookie, token,
                                                                 filename, data)
                worst = max(worst, peak)
                print(f"{label:<36} {len(data):>10} {status:>6} {before:>5}MB {peak:>4}MB")
        print(f"worst peak: {worst} MB (limit 300 MB)")
        return 0 if worst < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
