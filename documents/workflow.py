"""A template version's state machine, as a table (house style 6, shape of ``core.workflow``).

An upload is a draft (待启用); activating it makes it the one its unit's documents use (使用中) and retires
the version in use before (已停用), which can be restored the same way. Only the unit that owns the version
(its office, or its department's regulators) moves it; ``services`` is the only caller."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import Move, Workflow
from documents.models import TemplateState
from documents.registry import get_type
from documents.rendering import check_template
from documents.selectors import managed_unit

S = TemplateState


def manages(actor: Any, template: Any) -> bool:
    """The version belongs to the unit whose templates ``actor`` manages for this document type."""
    try:
        doc_type = get_type(template.doc_type)
    except KeyError:
        return False
    unit = managed_unit(actor, doc_type)
    return unit is not None and unit.pk == template.unit_id


def still_renders(template: Any, data: dict[str, Any]) -> None:
    """Checked again at (re)activation: the type's variables may have changed since the upload."""
    try:
        doc_type = get_type(template.doc_type)
    except KeyError as exc:
        raise ValidationError(_("该文书类型已不存在。")) from exc
    check_template(doc_type, template.file_bytes())


_WHO = gettext_lazy("本单位的安委办或部门监管人员")
_REFUSAL = gettext_lazy("只有安委办或部门的监管人员可以管理本单位的文书模板。")

TRANSITIONS = Workflow("documents.template", {
    (S.DRAFT, S.ACTIVE): Move("activate", gettext_lazy("启用"), manages, _WHO, still_renders, style="success",
                              refusal=_REFUSAL),
    (S.RETIRED, S.ACTIVE): Move("restore", gettext_lazy("恢复使用"), manages, _WHO, still_renders,
                                refusal=_REFUSAL),
    (S.ACTIVE, S.RETIRED): Move("retire", gettext_lazy("停用"), manages, _WHO, style="outline-secondary",
                                refusal=_REFUSAL),
}, choices=TemplateState, field="state", initial=(S.DRAFT,))
