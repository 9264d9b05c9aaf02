"""Writes: upload a template version, activate (or restore) one, go back to the inherited template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import audit
from core.uploads import attach, check_upload
from core.workflow import Step, transition
from documents.models import ATTACHMENT_ROLE, DocumentTemplate, TemplateState
from documents.registry import DocumentType, get_type
from documents.rendering import check_template
from documents.selectors import managed_unit
from documents.workflow import TRANSITIONS, still_renders
from orgs.models import Unit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIELDS = ["doc_type", "unit", "version", "state", "note"]


def _require_unit(actor: Any, doc_type: DocumentType, unit: Unit | None = None) -> Unit:
    own = managed_unit(actor, doc_type)
    if own is None or (unit is not None and own.pk != unit.pk):
        raise PermissionDenied(_("只有安委办或部门的监管人员可以管理本单位的文书模板。"))
    return own


def _check_file(file: UploadedFile) -> bytes:
    """The bytes of an uploaded .docx, checked by size and content."""
    limit = settings.ANZHI_DOC_TEMPLATE_MAX_MB
    name = file.name or "file"
    if not file.size:
        raise ValidationError(_("文件“%(n)s”是空的。") % {"n": name}, code="empty")
    if file.size > limit * 1024 * 1024:
        raise ValidationError(_("文件“%(n)s”超过 %(m)d MB：模板通常只有几十 KB，请删去其中的大图片后重新上传。")
                              % {"n": name, "m": limit}, code="too_big")
    not_word = ValidationError(_("文件“%(n)s”不是 Word 文档（.docx）。请在 Word 或 WPS 中“另存为”.docx 格式后上传。")
                               % {"n": name}, code="not_docx")
    try:
        mime, _ext = check_upload(file, kinds=("document",), max_mb=limit)
    except ValidationError as exc:
        raise not_word from exc
    if mime != DOCX:
        raise not_word
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


@transaction.atomic
def template_upload(*, actor: Any, doc_type: DocumentType, file: UploadedFile, note: str = "") -> DocumentTemplate:
    """Check ``file`` as a template of ``doc_type`` and keep it as the actor's unit's next version (a draft:
    it serves no document until activated)."""
    unit = _require_unit(actor, doc_type)
    data = _check_file(file)
    check_template(doc_type, data)
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # numbers versions one upload at a time
    last = DocumentTemplate.objects.filter(doc_type=doc_type.key, unit=unit).aggregate(n=Max("version"))["n"] or 0
    template = DocumentTemplate.objects.create(doc_type=doc_type.key, unit=unit, version=last + 1,
                                               note=note.strip()[:200])
    attach(actor=actor, owner=template, file=file, role=ATTACHMENT_ROLE, kinds=("document",))
    audit.record(action="documents.template_upload", obj=template, changes=audit.diff({}, audit.snapshot(template, FIELDS)),
                 note=f"{doc_type.key} {(file.name or '')[-100:]}")
    return template


def template_transition(*, actor: Any, template: DocumentTemplate, to: str) -> DocumentTemplate:
    """The one way a version changes state (``documents.workflow``): locked, checked, recorded."""

    def apply(step: Step) -> None:
        if step.target == TemplateState.ACTIVE:
            step.obj.activated_at = step.now

    return transition(workflow=TRANSITIONS, obj=template, actor=actor, to=to, apply=apply)


@transaction.atomic
def template_activate(*, actor: Any, template: DocumentTemplate) -> DocumentTemplate:
    """Make ``template`` the one its unit's documents use; the version in use before is kept (retired) and can
    be restored the same way. The file is checked again: the type's variables may have changed since."""
    try:
        doc_type = get_type(template.doc_type)
    except KeyError as exc:
        raise ValidationError(_("该文书类型已不存在。")) from exc
    _require_unit(actor, doc_type, template.unit)
    # Lock every version of this type and unit, so two activations cannot leave two versions in use.
    rows = list(DocumentTemplate.objects.select_for_update().filter(doc_type=template.doc_type, unit=template.unit_id))
    template = next(t for t in rows if t.pk == template.pk)
    if template.state == TemplateState.ACTIVE:  # a second click on 启用 changes nothing
        return template
    still_renders(template, {})  # before retiring the version in use: a broken upload changes nothing
    for current in rows:
        if current.state == TemplateState.ACTIVE:
            template_transition(actor=actor, template=current, to=TemplateState.RETIRED)
    return template_transition(actor=actor, template=template, to=TemplateState.ACTIVE)


@transaction.atomic
def template_reset(*, actor: Any, doc_type: DocumentType) -> DocumentTemplate | None:
    """Stop using the unit's own version: its documents go back to the office's template or the shipped
    default. Returns the version retired (None when none was active)."""
    unit = _require_unit(actor, doc_type)
    current = (DocumentTemplate.objects.select_for_update()
               .filter(doc_type=doc_type.key, unit=unit, state=TemplateState.ACTIVE).first())
    if current is not None:
        current = template_transition(actor=actor, template=current, to=TemplateState.RETIRED)
    return current
