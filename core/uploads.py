"""Uploads: checked by content (not by name) and size, stored through Django's default storage
(a local folder by default; object storage by configuring STORAGES["default"])."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import audit
from core.models import Attachment

# kind -> {detected mime: extension}
ALLOWED: dict[str, dict[str, str]] = {
    "image": {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
              "image/heic": ".heic"},
    "document": {
        "application/pdf": ".pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
        "application/msword": ".doc",
        "application/vnd.ms-excel": ".xls",
    },
}
OOXML_MARKERS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in ("application/zip", None) or (mime or "").startswith("application/vnd.openxmlformats"):
        # Office files are zip archives; look inside to tell a .docx from a renamed zip.
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        finally:
            upload.seek(0)
        for prefix, office_mime in OOXML_MARKERS.items():
            if any(n.startswith(prefix) for n in names) and "[Content_Types].xml" in names:
                return office_mime
        if mime == "application/zip" or names:
            return "application/zip"
    if mime is None and head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Legacy OLE2 container (.doc/.xls): tell the two apart by the declared name only.
        name = (upload.name or "").lower()
        return "application/vnd.ms-excel" if name.endswith(".xls") else "application/msword"
    return mime


def check_upload(upload: UploadedFile, *, kinds: Iterable[str] = ("image", "document"),
                 max_mb: int | None = None) -> tuple[str, str]:
    """Return (mime, extension) detected from the content, or raise ValidationError in Chinese."""
    limit = (max_mb or settings.ANZHI_MAX_UPLOAD_MB) * 1024 * 1024
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("文件“%(n)s”是空的。") % {"n": upload.name})
    if upload.size > limit:
        raise ValidationError(_("文件“%(n)s”超过 %(m)d MB 的大小限制。") % {"n": upload.name, "m": limit // (1024 * 1024)})
    allowed: dict[str, str] = {}
    for kind in kinds:
        allowed.update(ALLOWED[kind])
    mime = _sniff(upload)
    if mime not in allowed:
        labels = {"image": _("图片（JPG、PNG、WEBP）"), "document": _("文档（PDF、Word、Excel）")}
        wanted = "、".join(str(labels[k]) for k in kinds)
        raise ValidationError(_("文件“%(n)s”的内容不是允许的类型，只接受：%(w)s。") % {"n": upload.name, "w": wanted})
    return mime, allowed[mime]


@transaction.atomic
def attach(*, actor: Any, owner: models.Model, file: UploadedFile, role: str = "",
           kinds: Iterable[str] = ("image", "document")) -> Attachment:
    """Check and store a file for ``owner``; records the upload in the change log."""
    mime, ext = check_upload(file, kinds=kinds)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    attachment = Attachment(
        original_name=(file.name or "file")[-255:], content_type=mime, extension=ext, size=file.size,
        sha256=digest.hexdigest(), role=role, owner_type=audit.object_label(owner), owner_id=str(owner.pk),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    attachment.file.save(f"upload{ext}", file, save=False)
    attachment.save()
    # A file stored by a transaction that later rolls back is left without a row; such files are
    # harmless (unreachable) and `manage.py prune_orphan_files` removes them.
    audit.record(action="core.file_attach", obj=owner, changes={"attachment": [None, attachment.original_name]},
                 note=f"{role} {mime} {attachment.size}B sha256={attachment.sha256[:16]}")
    return attachment


def attachments_for(owner: models.Model, role: str | None = None) -> models.QuerySet[Attachment]:
    qs = Attachment.objects.filter(owner_type=audit.object_label(owner), owner_id=str(owner.pk))
    return qs.filter(role=role) if role is not None else qs


# -- files held across a refused form ---------------------------------------------------------------------------
# A browser cannot put a chosen file back into a form, so a form refused for another field (a missing description,
# a service's rule) would lose the photo taken on site. The page keeps the checked files here, under a signed token
# of the uploader, and the next submit uses them unless new files are chosen. Files expire after a day
# (``prune_held_files``). Written here because Django has no such mechanism and the libraries that do (formtools'
# wizard storage) keep whole wizard steps in the session, which is heavier than one signed token.
HELD_SALT = "anzhi.uploads.held"
HELD_MAX_AGE = 24 * 3600


def _held_root() -> Any:
    return settings.VAR_DIR / "held"


def hold_files(user: Any, files: Iterable[UploadedFile], *, kinds: Iterable[str] = ("image",)) -> tuple[str, list[str]]:
    """Keep the files that pass the content check; returns (signed token, their names) — ("", []) if none."""
    import json
    import secrets

    from django.core import signing

    kinds = tuple(kinds)
    kept: list[tuple[str, str, bytes]] = []
    for upload in files:
        try:
            mime, _ext = check_upload(upload, kinds=kinds)
        except ValidationError:
            continue
        upload.seek(0)
        kept.append(((upload.name or "file")[-120:], mime, upload.read()))
    if not kept:
        return "", []
    key = secrets.token_hex(16)
    folder = _held_root() / key
    folder.mkdir(parents=True)
    for i, (_name, _mime, content) in enumerate(kept):
        (folder / str(i)).write_bytes(content)
    (folder / "meta.json").write_text(json.dumps({"user": user.pk, "files": [[n, m] for n, m, _c in kept]}),
                                      encoding="utf-8")
    return signing.dumps({"k": key, "u": user.pk}, salt=HELD_SALT), [n for n, _m, _c in kept]


def held_files(user: Any, token: str) -> list[UploadedFile]:
    """The files kept under ``token`` for this user (none for a forged, foreign or expired token)."""
    import json

    from django.core import signing
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not token:
        return []
    try:
        data = signing.loads(token, salt=HELD_SALT, max_age=HELD_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(data, dict) or data.get("u") != user.pk or not str(data.get("k", "")).isalnum():
        return []
    folder = _held_root() / str(data["k"])
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return [SimpleUploadedFile(name, (folder / str(i)).read_bytes(), content_type=mime)
                for i, (name, mime) in enumerate(meta["files"])]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def prune_held_files(now: float | None = None) -> int:
    """Remove held files older than a day; returns how many sets were removed."""
    import shutil
    import time

    root = _held_root()
    if not root.exists():
        return 0
    limit = (now or time.time()) - HELD_MAX_AGE
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def without_metadata(upload: UploadedFile) -> UploadedFile:
    """The photo re-encoded without its metadata (EXIF: GPS position, device, owner's name; XMP; comments), turned
    upright first as its EXIF said. For photos from people who must not be traced by them (a 举报 from the
    public). JPEG, PNG and WEBP are re-encoded; other kinds (GIF, HEIC) are refused rather than kept with their
    metadata. Raises ValidationError in Chinese for a photo that cannot be read."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageOps, UnidentifiedImageError

    formats = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            if kind not in formats:
                raise ValidationError(_("照片“%(n)s”请使用 JPG、PNG 或 WEBP 格式。") % {"n": upload.name})
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ValidationError(_("照片“%(n)s”无法读取，请换一张。") % {"n": upload.name}) from exc
    upload.seek(0)
    return SimpleUploadedFile(upload.name or "photo", out.getvalue(), content_type=formats[kind])
