"""Finding 4 of issue 12: a 308 KB PNG of 8900×8900 pixels took a worker from 159 MB to
1.1 GB. The size is now read from the header and refused before anything is decoded, JPEGs
are decoded at a reduced scale, and no single upload takes a real gunicorn worker past
300 MB."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from portal.accounts.roles import Role
from portal.files.checks import UploadRejected, check_upload
from portal.files.service import IMAGES
from tests.activities import wave
from tests.files import memory

LIMIT = 8 * 1024 * 1024


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def test_the_bomb_is_refused_from_its_header(in_request):
    bomb = memory.png_header_bomb()
    assert len(bomb) < 400 * 1024
    with pytest.raises(UploadRejected) as error:
        check_upload(bomb, IMAGES, LIMIT)
    assert "8900 × 8900" in str(error.value.message)  # ours, not Pillow's warning path


def test_a_png_between_the_limit_and_twice_it_is_refused(in_request):
    """Pillow itself only raises above twice its limit; ours holds at the limit."""
    with pytest.raises(UploadRejected):
        check_upload(memory.png_header_bomb(4001, 3000), IMAGES, LIMIT)


def test_a_big_jpeg_is_accepted_reduced_and_kept_upright(in_request):
    image = memory.smooth_image("RGB", (6000, 4000))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held upright
    data = memory.encoded(image, "JPEG", quality=85, exif=exif)
    checked = check_upload(data, IMAGES, LIMIT)
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.size == (1707, 2560)  # turned upright and fitted to 2560
        assert not stored.getexif()


def test_peak_memory_of_a_worker_stays_under_300_mb(app, db, make_user, test_config):
    resident = make_user(Role.RESIDENT)
    cookie, token = wave.session_cookies(app, db, [resident.id])[resident.id]
    uploads = memory.worst_uploads()
    peaks = {}
    with memory.one_worker(test_config["DATABASE_URL"], test_config["SECRET_KEY"],
                           test_config["UPLOAD_DIR"]) as (port, pid):
        small = memory.encoded(memory.smooth_image("RGB", (800, 600)), "JPEG")
        memory.upload_peak(port, pid, cookie, token, "warm-up.jpg", small)  # imports loaded
        for label, (filename, data) in uploads.items():
            status, html, before, peak = memory.upload_peak(port, pid, cookie, token,
                                                            filename, data)
            assert status == 422, (label, status)  # the form is incomplete on purpose
            kept = re.search(r'name="photo_tokens"[^>]*value="([^"]+)"', html)
            assert bool(kept) == (filename != "bomb.png"), label  # stored, or refused
            assert ("像素" in html) == (filename == "bomb.png"), label
            peaks[label] = (before, peak)
    print("peak RSS of the worker (MB, before → peak):", peaks)
    assert all(peak < 300 for _before, peak in peaks.values()), peaks
