"""Issue 17 item 3 in a real browser: a 4000×3000 phone photo of several MB, chosen on
/requests/new, is shrunk by static/js/photos.js before it is sent (so what arrives is already
at most 2560 px and far smaller), and the request goes through."""

from __future__ import annotations

import io
import os
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.roles import Role
from portal.files.models import StoredFile
from portal.service_requests import service
from portal.service_requests.models import ServiceRequest
from tests.browser.test_requests_flow import _sign_in

MB = 1024 * 1024


def noisy_photo(path, size=(4000, 3000)) -> int:
    """Noise that JPEG can't squeeze: a camera-sized file, several MB."""
    small = Image.frombytes("RGB", (size[0] // 2, size[1] // 2),
                            os.urandom(size[0] // 2 * size[1] // 2 * 3))
    buffer = io.BytesIO()
    small.resize(size, Image.Resampling.NEAREST).save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def test_a_big_photo_is_shrunk_before_it_is_sent(live_server, page, audit, make_user, db,
                                                 tmp_path):
    service.seed_categories(db)
    db.commit()
    resident = make_user(Role.RESIDENT, name="张阿姨", building="3号楼")
    photo = tmp_path / "IMG_2041.jpg"
    original = noisy_photo(photo)
    assert original >= 3 * MB

    # What the browser sent, before the server's own re-encoding: proof the browser shrank it.
    sent = []
    page.on("request", lambda request: sent.append(len(request.post_data_buffer or b""))
            if request.method == "POST" and request.url.endswith("/requests/new") else None)

    _sign_in(page, live_server, resident.phone)
    page.goto(live_server.url + "/requests/new")
    audit(page)
    page.get_by_label("设施报修").check()
    page.get_by_label("具体情况").fill("二楼楼道的灯不亮了，晚上看不见台阶。")
    page.get_by_label("照片").set_input_files(str(photo))
    page.get_by_role("button", name="提交诉求").click()
    # Decoding and redrawing 12 megapixels, then the server's own pass: a cheap phone's work.
    expect(page.get_by_role("heading", name="您的诉求已提交")).to_be_visible(timeout=30_000)
    audit(page)

    assert len(sent) == 1 and sent[0] < original / 2, (sent, original)
    db.expire_all()
    request = db.scalar(select(ServiceRequest))
    assert request is not None and re.match(r"R\d{8}-\d{4}", request.ref)
    stored = db.scalar(select(StoredFile))
    assert stored.attached
    assert max(stored.width, stored.height) <= 2560 and stored.size < original / 2
