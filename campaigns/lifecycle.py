"""A campaign's lifecycle, as a table (house style 6, shape of ``core.workflow``).

    prepare --start-->   running    筹备 → 实施   by the campaign office
    running --close-->   summary    实施 → 总结   by the campaign office
    summary --reopen-->  running    总结 → 实施   by the campaign office, with a reason
    summary --archive--> archived   总结 → 归档   by the campaign office

Closing (总结, 归档) stops the reminders and the escalation of the campaign's tasks; an archived campaign is
read-only history (``require_writable``). A draft (筹备) campaign may be deleted while nothing was reported.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.choices import CampaignStage, StageAction
from campaigns.models import Campaign, ProgressReport
from core import audit
from core.formats import cn_date
from core.workflow import Move, Workflow, transition

READ_ONLY = gettext_lazy("该专项整治行动已归档，只能查阅，不能修改。")


def is_office(actor: Any, campaign: Campaign) -> bool:
    from campaigns.services import is_office_for

    return is_office_for(actor, campaign)  # actor=None is the system (a loader)


def _not_allowed(state: str | None, to: str | None, action: str | None) -> str:
    label = dict(CampaignStage.choices).get(state or "", "")
    verb = StageAction(action).label if action in StageAction.values else (
        dict(CampaignStage.choices).get(to or "", to))
    return _("行动处于“%(s)s”阶段，不能%(a)s。") % {"s": label, "a": verb}


_OFFICE = gettext_lazy("只有本行动的安委办可以推进行动阶段。")
TRANSITIONS = Workflow("campaigns.campaign", {
    (CampaignStage.PREPARE, CampaignStage.RUNNING): Move(
        StageAction.START, gettext_lazy("启动实施"), is_office, gettext_lazy("安委办"), refusal=_OFFICE),
    (CampaignStage.RUNNING, CampaignStage.SUMMARY): Move(
        StageAction.CLOSE, gettext_lazy("转入总结"), is_office, gettext_lazy("安委办"), refusal=_OFFICE,
        style="outline-primary"),
    (CampaignStage.SUMMARY, CampaignStage.RUNNING): Move(
        StageAction.REOPEN, gettext_lazy("恢复实施"), is_office, gettext_lazy("安委办"), refusal=_OFFICE,
        note_required=True, note_hint=gettext_lazy("恢复实施时请说明理由。"), style="outline-warning"),
    (CampaignStage.SUMMARY, CampaignStage.ARCHIVED): Move(
        StageAction.ARCHIVE, gettext_lazy("归档"), is_office, gettext_lazy("安委办"), refusal=_OFFICE,
        style="outline-secondary"),
}, choices=CampaignStage, field="stage", initial=(CampaignStage.PREPARE,), not_allowed=_not_allowed)


def require_writable(campaign: Campaign) -> None:
    """Services call this before any write to a campaign's rows: an archived campaign is read-only."""
    stage = Campaign.objects.filter(pk=campaign.pk).values_list("stage", flat=True).first() or campaign.stage
    if stage == CampaignStage.ARCHIVED:
        raise ValidationError(str(READ_ONLY))


def campaign_transition(*, actor: Any, campaign: Campaign, action: str, note: str = "",
                        now: dt.datetime | None = None, system: bool = False) -> Campaign:
    """The one way a campaign changes stage. ``system=True`` (loaders, ``actor=None``) is the seed loader closing
    a campaign whose end is long past; it is recorded like any other move."""
    if action not in StageAction.values:
        raise ValidationError(_("未知的操作。"))
    if actor is None and not system:
        raise ValidationError(_("未知的操作者。"))
    return transition(workflow=TRANSITIONS, obj=campaign, action=action, actor=actor, note=note, now=now)


def allowed_moves(actor: Any, campaign: Campaign) -> list[tuple[str, Move]]:
    return TRANSITIONS.allowed(actor, campaign)


@transaction.atomic
def campaign_delete(*, actor: Any, campaign: Campaign) -> None:
    """Delete a draft (筹备) campaign created by mistake: recorded, refused once anything was reported."""
    from campaigns.services import require_office

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    require_office(actor, campaign)
    if campaign.stage != CampaignStage.PREPARE:
        raise ValidationError(_("只能删除筹备阶段的行动；已启动的行动请转入总结并归档。"))
    if ProgressReport.objects.filter(task__campaign=campaign).exists():
        raise ValidationError(_("该行动已有进展报送，不能删除。"))
    from campaigns.services import CAMPAIGN_FIELDS

    counts = {"tasks": campaign.tasks.count(), "plans": campaign.plans.count()}
    audit.record(action="campaigns.delete", obj=campaign,
                 changes={**audit.diff(audit.snapshot(campaign, CAMPAIGN_FIELDS), {}),
                          **{k: [v, 0] for k, v in counts.items()}})
    campaign.list_items.all().delete()
    campaign.delete()


def close_stale(*, today: dt.date | None = None, after_days: int = 365) -> list[Campaign]:
    """Archive the campaigns whose end date is more than ``after_days`` past (the system, for the demo and a
    fresh install holding an old seed): they stay readable as history and stop escalating."""
    today = today or timezone.localdate()
    closed = []
    for campaign in Campaign.objects.filter(ends_on__lt=today - dt.timedelta(days=after_days)).exclude(
            stage=CampaignStage.ARCHIVED):
        note = _("行动已于%(d)s结束，系统转入总结并归档。") % {"d": cn_date(campaign.ends_on)}
        while campaign.stage != CampaignStage.ARCHIVED:
            nxt = {CampaignStage.PREPARE: StageAction.START, CampaignStage.RUNNING: StageAction.CLOSE,
                   CampaignStage.SUMMARY: StageAction.ARCHIVE}[campaign.stage]
            campaign = campaign_transition(actor=None, campaign=campaign, action=nxt, note=note, system=True)
        closed.append(campaign)
    return closed

