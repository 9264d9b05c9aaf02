"""A tip's photos keep nothing that traces the reporter (EXIF GPS position, device, owner): re-encoded on the
public page before they are stored; a photo that cannot be read is refused with a Chinese message."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.models import Attachment
from tests.personas import World
from tips import services
from tips.tests.test_views import _post_tip

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 16), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "张三丰"  # Artist
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    exif[0x8825] = {1: "N", 2: (27.0, 44.0, 52.0), 3: "E", 4: (112.0, 31.0, 4.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_public_tip_photo_is_stored_without_metadata_and_upright(client: Client, world: World) -> None:
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()  # the fixture does carry metadata
    photo = SimpleUploadedFile("现场.jpg", raw, content_type="image/jpeg")
    response = _post_tip(client, photos=photo)
    code = re.search(r'data-testid="tip-code">([A-Z2-7-]+)<', response.content.decode())[1]
    tip = services.tip_by_code(code)
    stored = Attachment.objects.get(owner_type="tips.tip", owner_id=str(tip.pk))
    with stored.file.open("rb") as handle:
        data = handle.read()
    kept = Image.open(io.BytesIO(data))
    assert not kept.getexif() and "exif" not in kept.info
    assert b"PhoneMaker" not in data and "张三丰".encode() not in data
    assert kept.size == (16, 32)  # turned upright as the orientation tag said, then the tag dropped


def test_an_unreadable_photo_is_refused_and_nothing_is_written(client: Client, world: World) -> None:
    from tips.models import Tip

    before = Tip.objects.count()
    broken = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # sniffs as JPEG, is not one
    page = _post_tip(client, photos=SimpleUploadedFile("坏.jpg", broken, content_type="image/jpeg"))
    assert "无法读取" in page.content.decode()
    assert Tip.objects.count() == before
