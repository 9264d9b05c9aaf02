"""Framework models: the append-only change log, sealed into hash-chained blocks. No domain model lives here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit import Source


class AppendOnlyError(RuntimeError):
    pass


class ChangeEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("change events are append-only")

    def delete(self) -> Any:
        raise AppendOnlyError("change events are append-only")

    def for_object(self, obj: models.Model) -> ChangeEventQuerySet:
        return self.filter(object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk))


class ChangeEvent(models.Model):
    """One entry of the forensic log. Rows are never updated or deleted (a database trigger,
    installed by migration 0002, refuses UPDATE and DELETE as well).

    ``hash`` is the HMAC of the event's own content, its ``seq`` included (``core.audit.event_hash``): appends
    take no shared lock. ``core.chain.seal`` later binds committed events into ``ChainBlock``s. Events of the
    legacy segment (written before blocks existed) keep their old link: ``prev_hash`` and a chained hash."""

    seq = models.BigIntegerField(primary_key=True, verbose_name=_("序号"))
    occurred_at = models.DateTimeField(db_index=True, verbose_name=_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False, verbose_name=_("操作人"),
    )
    actor_label = models.CharField(max_length=200, blank=True, verbose_name=_("操作人"))
    source = models.CharField(max_length=16, choices=Source.choices, verbose_name=_("来源"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP地址"))
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=40, db_index=True, verbose_name=_("操作"))
    success = models.BooleanField(default=True, verbose_name=_("是否成功"))
    object_type = models.CharField(max_length=80, verbose_name=_("对象类型"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("对象编号"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("对象"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("变更内容"))
    note = models.TextField(blank=True, verbose_name=_("说明"))
    prev_hash = models.CharField(max_length=64, blank=True)  # legacy segment only; "" since blocks
    # Not declared unique: the PostgreSQL table is partitioned by seq (core/partitions.py), and a unique index there
    # must contain seq. The hash is an HMAC over the content, seq included; verification, not an index, checks it.
    hash = models.CharField(max_length=64)

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="core_event_object"),
            models.Index(fields=["actor", "seq"], name="core_event_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("force_insert"):
            raise AppendOnlyError("change events are append-only; use core.audit.record()")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("change events are append-only")

    def hashed_payload(self) -> dict[str, Any]:
        from core.audit import to_jsonable

        return {
            "seq": self.seq,
            "at": to_jsonable(self.occurred_at),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "source": self.source,
            "ip": self.ip,
            "request": self.request_id,
            "action": self.action,
            "success": self.success,
            "type": self.object_type,
            "id": self.object_id,
            "repr": self.object_repr,
            "changes": self.changes,
            "note": self.note,
        }

    @property
    def action_name(self) -> str:
        """The action's current name (events stored before the names were unified keep their old one)."""
        from core.audit_actions import current

        return current(self.action, self.object_type)

    @property
    def change_rows(self) -> list[tuple[str, Any, Any]]:
        """(field label, before, after) for display: the model's verbose field names, 是/否 for booleans."""
        if not isinstance(self.changes, dict):
            return []
        rows = []
        for key, value in self.changes.items():
            before, after = (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else (None, value)
            rows.append((_field_label(self.object_type, key), _display(before), _display(after)))
        return rows


def _display(value: Any) -> Any:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def _field_label(object_type: str, name: str) -> str:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name
    return str(getattr(field, "verbose_name", name))


class ChainHead(models.Model):
    """The sealer's head: the latest block (one row). Locked only by ``core.chain.seal`` — never by a writer —
    so sealers take turns while appends go on; it also lets the verifier notice blocks cut from the end."""

    last_block = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("日志链头")

    def __str__(self) -> str:
        return f"#{self.last_block}"


class ChainBlock(models.Model):
    """A sealed block of the change log: which events it covers (``ranges`` of seq, ascending), the Merkle root
    of their hashes in seq order, and the previous block's hash; ``hash`` is an HMAC under the chain key of all
    of that. Blocks are append-only like the events (trigger). Block 1 may be the ``legacy`` segment: the events
    chained one by one before blocks existed, its ``root`` the hash of the last of them."""

    KIND_SEAL = "seal"
    KIND_LEGACY = "legacy"

    number = models.BigIntegerField(primary_key=True, verbose_name=_("区块序号"))
    kind = models.CharField(max_length=8, default=KIND_SEAL)
    ranges = models.JSONField(default=list)  # [[first seq, last seq], ...], ascending, disjoint
    count = models.PositiveIntegerField(default=0)
    root = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField(verbose_name=_("封存时间"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("日志区块")
        verbose_name_plural = _("日志区块")

    def __str__(self) -> str:
        return f"#{self.number}"

    def hashed_payload(self) -> dict[str, Any]:
        from core.audit import to_jsonable

        return {"number": self.number, "kind": self.kind, "ranges": self.ranges, "count": self.count,
                "root": self.root, "prev": self.prev_hash, "at": to_jsonable(self.sealed_at)}


class UnsealedEvent(models.Model):
    """The queue of committed events no block covers yet. Filled by a database trigger on every insert into
    ``core_changeevent`` (so no writer can forget it, and a bulk insert costs one statement); emptied by the
    sealer for exactly the events it seals. Writers only insert here, the sealer only deletes committed rows:
    they never wait on one another."""

    seq = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = _("待封存事件")

    def __str__(self) -> str:
        return f"#{self.seq}"


class PeriodicRun(models.Model):
    """When each periodic job (reminders, escalation sweeps, scheduled reports) was last queued.

    Kept in the database so that a restart does not re-run a job and two processes do not both run it."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never reuses the uploaded one (path tricks, odd characters); the original is kept apart.
    import uuid

    from django.utils import timezone

    ext = instance.extension
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    """A file attached to a business object (evidence, before/after photo, document).

    Reached only through its owner: the download view serves it when the owner is visible to
    the viewer (``owner_model.objects.visible_to(user)``), and 404 otherwise."""

    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255, verbose_name=_("文件名"))
    content_type = models.CharField(max_length=100, verbose_name=_("文件类型"))
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveBigIntegerField(verbose_name=_("大小（字节）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    role = models.CharField(max_length=30, blank=True, verbose_name=_("用途"))
    owner_type = models.CharField(max_length=80)
    owner_id = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("上传时间"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["owner_type", "owner_id", "role"], name="core_attachment_owner")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认列的对应")
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("正在检查")
    WRITING = "writing", _("正在写入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入（有错误）")
    CANCELLED = "cancelled", _("已取消")


class ImportJob(models.Model):
    """An uploaded spreadsheet on its way in: waiting for its column mapping to be confirmed (``preview``), or
    a large import run by the background worker while its page polls it for progress.

    ``kind`` names the importer (``core.imports.register_importer``), ``params`` what it needs besides
    the file (a ledger, a year …), ``mapping`` the sheets and columns confirmed in the preview. The uploaded
    file is removed once the job has finished or been cancelled."""

    kind = models.CharField(max_length=60, verbose_name=_("导入类型"))
    params = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True, verbose_name=_("文件"))
    original_name = models.CharField(max_length=255, verbose_name=_("文件名"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("导入人"))
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING,
                              verbose_name=_("状态"))
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 3, "column": "…", "message": "…"}]
    missing_headers = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:import_job", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.WRITING)

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.processed / self.total)) if self.total else 0


class ImportMapping(models.Model):
    """The column choices confirmed in an import's preview, saved for a context (a unit, a campaign …) so that
    the next file with the same headers maps the same way: {header key: importer column, or "" not kept}."""

    kind = models.CharField(max_length=60, verbose_name=_("导入类型"))
    context = models.CharField(max_length=120, verbose_name=_("适用范围"))
    choices = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True, verbose_name=_("保存人"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "context"], name="core_importmapping_unique")]
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")

    def __str__(self) -> str:
        return f"{self.kind} {self.context}"
