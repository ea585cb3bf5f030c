"""Issue 17 item 3: photos from any phone, sent without JavaScript. A 4000×3000 phone photo is
stored upright, at most 2560 px and without EXIF; a HEIC photo is stored as JPEG; a photo over
the limit, or a form over the whole-request limit, is refused with its real size and the
form comes back with what was typed."""

from __future__ import annotations

import io
import os

import pillow_heif
import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from portal.files.models import StoredFile
from portal.files.service import file_path
from portal.service_requests.models import ServiceRequest
from tests.service_requests.test_resident_views import form_of

pillow_heif.register_heif_opener()
MB = 1024 * 1024


def phone_photo(size=(4000, 3000), orientation=6) -> bytes:
    """A camera's JPEG: landscape pixels, with EXIF saying 'turn it a quarter to stand it up',
    and a maker and GPS position that must not survive."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste((200, 30, 30), (0, 0, size[0] // 4, size[1] // 4))  # a red top-left corner
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "LinliPhone"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N",
                                  ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def post(client, categories, photos, description="楼道的灯坏了一个星期，晚上看不见台阶。"):
    return client.post("/requests/new", data={
        **form_of(client), "category": categories["repair"].id, "building": "3号楼",
        "description": description,
        "photos": [(io.BytesIO(data), name) for data, name in photos]},
        content_type="multipart/form-data")


def stored_image(app, db):
    stored = db.scalar(select(StoredFile))
    with app.app_context():
        data = file_path(stored).read_bytes()
    return stored, data, Image.open(io.BytesIO(data))


def test_a_phone_photo_is_stored_upright_small_and_without_exif(app, resident_client,
                                                                 categories, db):
    original = phone_photo()
    response = post(resident_client, categories, [(original, "IMG_2041.JPG")])
    assert response.status_code == 303
    assert db.scalar(select(ServiceRequest)) is not None
    stored, data, image = stored_image(app, db)
    with image:
        assert image.format == "JPEG"
        assert image.size == (1920, 2560)  # turned upright: portrait, and fitted to 2560
        assert (stored.width, stored.height) == (1920, 2560)
        assert not image.getexif() and "exif" not in image.info
        # Orientation 6 turns the picture clockwise: the red corner is now top right.
        red, green, _blue = image.getpixel((image.width - 40, 40))
        assert red > 150 and green < 80
    assert b"LinliPhone" not in data and len(data) < len(original)


def test_a_heic_photo_is_accepted_and_stored_as_jpeg(app, resident_client, categories, db):
    image = Image.linear_gradient("L").resize((1200, 900)).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "LinliPhone"
    out = io.BytesIO()
    image.save(out, "HEIF", quality=80, exif=exif.tobytes())
    heic = out.getvalue()
    assert heic[4:12] == b"ftypheic"
    response = post(resident_client, categories, [(heic, "IMG_3001.HEIC")])
    assert response.status_code == 303
    stored, data, saved = stored_image(app, db)
    with saved:
        assert saved.format == "JPEG" and saved.size == (900, 1200)  # upright, turned once
        assert not saved.getexif()
    assert b"LinliPhone" not in data
    assert stored.content_type == "image/jpeg" and stored.original_name == "IMG_3001.HEIC"
    assert resident_client.get(f"/files/{stored.token}").mimetype == "image/jpeg"


def too_big_photo(size: int) -> bytes:
    """Refused by its size before anything decodes it, so its body needn't be a picture."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", "这张照片有 13.4 MB，最大 8 MB"),
    ("en", "This photo is 13.4 MB; the limit is 8 MB"),
])
def test_a_photo_over_the_limit_says_its_real_size(resident_client, categories, db, language,
                                                   expected):
    resident_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = post(resident_client, categories, [(too_big_photo(int(13.4 * MB)), "big.jpg")])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert expected in html
    assert "楼道的灯坏了一个星期" in html  # what was typed is kept
    assert db.scalar(select(StoredFile)) is None


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", "这张照片有 12.0 MB，最大 8 MB"),
    ("en", "This photo is 12.0 MB; the limit is 8 MB"),
])
def test_a_form_over_the_request_limit_comes_back_with_real_sizes(app, resident_client,
                                                                  categories, db, language,
                                                                  expected):
    """Three photos together over MAX_CONTENT_LENGTH: not a bare 413, but the form with what
    was typed, each big photo's real size, and the small photo kept."""
    app.config["MAX_CONTENT_LENGTH"] = 20 * MB
    resident_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    small = phone_photo((800, 600), orientation=1)
    response = post(resident_client, categories, [
        (too_big_photo(12 * MB), "a.jpg"), (small, "b.jpg"),
        (too_big_photo(int(12.04 * MB)), "c.jpg")])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count(expected) == 2
    assert "楼道的灯坏了一个星期" in html
    assert len(db.scalars(select(StoredFile)).all()) == 1  # the small photo, for the next try
    assert db.scalar(select(ServiceRequest)) is None


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", "你发送的内容有 45.0 MB，一次最多 20 MB"),
    ("en", "What you sent is 45.0 MB; the most we take at once is 20 MB"),
])
def test_far_too_much_gets_a_page_with_the_real_size(app, resident_client, categories, db,
                                                     language, expected):
    app.config["MAX_CONTENT_LENGTH"] = 20 * MB
    resident_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = post(resident_client, categories, [(too_big_photo(45 * MB - 2000), "a.jpg")])
    assert response.status_code == 413
    assert expected in response.get_data(as_text=True).replace("\u00a0", " ")
