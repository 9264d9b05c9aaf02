"""方案要求: what the plan itself asks for beyond its tasks — the reporting schedule (summaries and reports at
stated times), the 保障措施 of each plan and its checklists (linked to the checks library where the list is
there) — and the office's two writes on a task's milestones (a stage met, the date of the event a relative
deadline counts from)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaigns import milestones, services
from campaigns.models import Milestone
from campaigns.views.common import visible_campaign
from core.formats import cn_date
from core.forms import add_service_message
from core.permissions import business_required
from core.scoping import get_visible_or_404

CHECKS_SEED_LISTS = Path(__file__).resolve().parents[2] / "checks" / "data" / "seed_lists.json"


class MilestoneDateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))


def _library_lists() -> dict[tuple[str, int], dict[str, Any]]:
    """The checks library's record of each seed checklist, by (plan code, list number): its file (the list is
    in the library) or the reason it is not a check list."""
    try:
        rows = json.loads(CHECKS_SEED_LISTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {(r["plan"], int(r["list_index"])): r for r in rows}


def _checklist_urls(keys: list[str]) -> dict[str, str]:
    try:
        from checks.models import Checklist
    except ImportError:  # the checks app is optional
        return {}
    found = (Checklist.objects.filter(key__in=keys, enterprise__isnull=True, current=True)
             .values_list("key", "pk"))
    return {key: reverse("checks:checklist", args=[pk]) for key, pk in found}


@business_required
def requirements(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = visible_campaign(request, pk)
    today = timezone.localdate()
    duties = list(campaign.reporting_duties.select_related("plan"))
    for d in duties:
        d.dates = d.due_dates()
        d.next = next((x for x in d.dates if x >= today), None)
    library = _library_lists()
    plans = list(campaign.plans.all())
    sections, keys = [], []
    for plan in plans:
        extra = plan.extra or {}
        lists = []
        for i, c in enumerate(extra.get("checklists") or [], start=1):
            entry = library.get((plan.code, i)) or {}
            key = Path(entry["file"]).stem if entry.get("file") else ""
            keys.append(key)
            lists.append({"index": i, "name": c.get("name") or "", "items": c.get("items") or [],
                          "line": c.get("line"), "task_no": c.get("task_no") or "", "key": key,
                          "reason": entry.get("reason") or ""})
        safeguards = extra.get("safeguards") or {}
        if lists or safeguards.get("items"):
            sections.append({"plan": plan, "safeguards": safeguards, "lists": lists})
    urls = _checklist_urls([k for k in keys if k])
    for s in sections:
        for c in s["lists"]:
            c["url"] = urls.get(c["key"], "")
    return render(request, "campaigns/requirements.html", {
        "campaign": campaign, "duties": duties, "sections": sections, "today": today,
        "progress": campaign.get_report_interval_display(),
        "list_count": sum(len(s["lists"]) for s in sections),
        "item_count": sum(len(c["items"]) for s in sections for c in s["lists"]),
    })


def _office_milestone(request: HttpRequest, pk: int) -> Milestone:
    m = get_visible_or_404(Milestone.objects.select_related("task__campaign"), request.user, pk=pk)
    if not services.is_office_for(request.user, m.task.campaign):
        raise PermissionDenied
    return m


def _after(m: Milestone) -> HttpResponse:
    return redirect(reverse("campaigns:task_detail", args=[m.task_id]) + "#milestones")


@require_POST
@business_required
def milestone_meet(request: HttpRequest, pk: int) -> HttpResponse:
    m = _office_milestone(request, pk)
    form = MilestoneDateForm(request.POST or {"on": timezone.localdate()})
    on = form.cleaned_data["on"] if form.is_valid() else timezone.localdate()
    try:
        milestones.milestone_mark_met(actor=request.user, milestone=m, met_on=min(on, timezone.localdate()))
    except ValidationError as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已确认该节点完成，不再提醒和督办。"))
    return _after(m)


@require_POST
@business_required
def milestone_event(request: HttpRequest, pk: int) -> HttpResponse:
    m = _office_milestone(request, pk)
    form = MilestoneDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的事件日期。"))
        return _after(m)
    on: dt.date = form.cleaned_data["on"]
    try:
        m = milestones.milestone_set_event(actor=request.user, milestone=m, event_on=on)
    except ValidationError as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已登记事件日期，到期日按工作日计算为 %(d)s。") % {"d": cn_date(m.due)})
    return _after(m)
