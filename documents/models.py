"""Uploaded versions of Word templates: per document type and unit, numbered, at most one active."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Attachment
from core.scoping import Scope, ScopedQuerySet

ATTACHMENT_ROLE = "doc_template"


class TemplateState(models.TextChoices):
    DRAFT = "draft", _("待启用")
    ACTIVE = "active", _("使用中")
    RETIRED = "retired", _("已停用")


class DocumentTemplateQuerySet(ScopedQuerySet):
    pass


class DocumentTemplate(models.Model):
    """One version of a unit's template for a document type (``documents.registry``). The file is a
    ``core.Attachment`` of this row (role ``doc_template``), checked by content and size when uploaded.
    Versions are never deleted: activating an older one restores it."""

    doc_type = models.CharField(max_length=60, verbose_name=_("文书类型"))
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="document_templates",
                             verbose_name=_("所属单位"))
    version = models.PositiveIntegerField(verbose_name=_("版本"))
    state = models.CharField(max_length=10, choices=TemplateState.choices, default=TemplateState.DRAFT,
                             verbose_name=_("状态"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("说明"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("上传时间"))
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("启用时间"))

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["doc_type", "unit_id", "-version"]
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "unit", "version"], name="documents_template_version"),
            models.UniqueConstraint(fields=["doc_type", "unit"], condition=models.Q(state="active"),
                                    name="documents_template_one_active"),
        ]
        indexes = [models.Index(fields=["doc_type", "state"], name="documents_template_state")]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.unit_id} v{self.version}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # Templates are not secret: every business user may read them (the upload is what is restricted).
        return models.Q()

    def attachment(self) -> Attachment | None:
        from core.uploads import attachments_for

        return attachments_for(self, ATTACHMENT_ROLE).order_by("-pk").first()

    def file_bytes(self) -> bytes:
        attachment = self.attachment()
        if attachment is None:
            raise FileNotFoundError(f"template {self.pk} has no file")
        with attachment.file.open("rb") as f:
            return f.read()
