"""两个清单 writes: a unit keeps its own lists; the campaign office may edit any in its territory."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.deadline_phrases import DeadlineError
from campaigns.lifecycle import require_writable
from campaigns.models import Campaign, ListItem
from campaigns.models.scope import user_unit_ids
from campaigns.services import deadline_values, is_office_for
from core import audit
from orgs.models import Unit

FIELDS = ["kind", "item", "measure", "owner", "deadline", "deadline_text", "status"]


def can_edit(actor: Any, campaign: Campaign, unit: Unit) -> bool:
    return is_office_for(actor, campaign) or unit.pk in user_unit_ids(actor)


@transaction.atomic
def list_item_save(*, actor: Any, campaign: Campaign, unit: Unit, entry: ListItem | None = None,
                   **values: Any) -> ListItem:
    """Create or (with ``entry``) change one line of a unit's list."""
    item = entry
    if item is not None:
        item = ListItem.objects.select_for_update().get(pk=item.pk)
        unit = item.unit
    if not can_edit(actor, campaign, unit):
        raise PermissionDenied(_("只能维护本单位的清单。"))
    require_writable(campaign)
    if unit.collective:
        raise ValidationError(_("集合称谓不能作为清单的责任单位。"))
    values = {k: v for k, v in values.items() if k in FIELDS}
    if not (values.get("item") or getattr(item, "item", "")).strip():
        raise ValidationError({"item": _("请填写问题隐患或制度措施。")})
    if "deadline_text" in values:
        try:
            values.update({k: v for k, v in deadline_values(values["deadline_text"] or "",
                                                            default_year=campaign.starts_on.year).items()
                           if k in ("deadline", "deadline_text")})
        except DeadlineError as exc:
            raise ValidationError({"deadline_text": str(exc)}) from exc
    created = item is None
    item = item or ListItem(campaign=campaign, unit=unit, jurisdiction_path=campaign.jurisdiction_path)
    before = {} if created else audit.snapshot(item, FIELDS)
    for k, v in values.items():
        setattr(item, k, v)
    changes = audit.diff(before, audit.snapshot(item, FIELDS))
    if changes or created:
        item.save()
        audit.record(action="campaigns.create" if created else "campaigns.update", obj=item, changes=changes)
    return item


@transaction.atomic
def list_item_delete(*, actor: Any, item: ListItem) -> None:
    if not can_edit(actor, item.campaign, item.unit):
        raise PermissionDenied(_("只能维护本单位的清单。"))
    require_writable(item.campaign)
    audit.record(action="campaigns.delete", obj=item, changes=audit.diff(audit.snapshot(item, FIELDS), {}))
    item.delete()
