from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from core.uploads import attach, attachments_for, check_upload
from tests.personas import World


def png_bytes() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def docx_bytes() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("整改报告")
    document.save(buf)
    return buf.getvalue()


def test_image_is_recognised_by_content() -> None:
    mime, ext = check_upload(SimpleUploadedFile("photo.jpeg", png_bytes()), kinds=("image",))
    assert (mime, ext) == ("image/png", ".png")


def test_docx_is_told_apart_from_a_plain_zip() -> None:
    assert check_upload(SimpleUploadedFile("r.docx", docx_bytes()))[0].endswith("wordprocessingml.document")
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("evil.exe", b"MZ")
    with pytest.raises(ValidationError, match="不是允许的类型"):
        check_upload(SimpleUploadedFile("r.docx", buf.getvalue()))


@pytest.mark.parametrize("content", [b"<script>alert(1)</script>", b"MZ\x90\x00" + b"\x00" * 100, b"%!PS-Adobe"])
def test_disguised_files_are_refused(content: bytes) -> None:
    with pytest.raises(ValidationError, match="不是允许的类型"):
        check_upload(SimpleUploadedFile("photo.jpg", content), kinds=("image",))


def test_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(ValidationError, match="空的"):
        check_upload(SimpleUploadedFile("a.png", b""))
    with override_settings(ANZHI_MAX_UPLOAD_MB=1), pytest.raises(ValidationError, match="1 MB"):
        check_upload(SimpleUploadedFile("a.png", png_bytes() + b"\x00" * (1024 * 1024)))


def test_attachment_is_served_only_to_those_who_see_its_owner(client: Client, world: World) -> None:
    ent = world.enterprises["ent_a1"]
    attachment = attach(actor=world.user("township_a"), owner=ent, file=SimpleUploadedFile("现场.png", png_bytes()),
                        role="evidence")
    assert list(attachments_for(ent, "evidence")) == [attachment]
    client.force_login(world.users["township_a"])
    response = client.get(f"/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.users["township_b"])
    assert client.get(f"/files/{attachment.pk}/").status_code == 404
    client.force_login(world.users["auditadmin"])
    assert client.get(f"/files/{attachment.pk}/").status_code == 404


def test_prune_removes_only_old_orphans(world: World) -> None:
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    ent = world.enterprises["ent_a2"]
    kept = attach(actor=None, owner=ent, file=SimpleUploadedFile("留.png", png_bytes()))
    fresh = default_storage.save("attachments/2026/01/fresh-orphan.png", ContentFile(b"x"))
    old = default_storage.save("attachments/2026/01/old-orphan.png", ContentFile(b"x"))
    two_days_ago = time.time() - 48 * 3600
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    call_command("prune_orphan_files")
    assert default_storage.exists(kept.file.name)
    assert default_storage.exists(fresh)  # may belong to an upload whose transaction is still open
    assert not default_storage.exists(old)
