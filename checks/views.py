"""Pages of the checks app (隐患排查): the library, plans, premises, the run form, runs, due checks and figures."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid as uuidlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from checks import figures as figure_module
from checks import importer, services
from checks.choices import Disposal, Frequency, ItemType, Outcome
from checks.filters import ChecklistFilter, DueFilter, PlanFilter, PremisesFilter, RunFilter
from checks.forms import (
    CampaignForm,
    ChecklistForm,
    FrequencyForm,
    ImportForm,
    ItemForm,
    PlanForm,
    PremisesForm,
    VersionForm,
)
from checks.models import CheckItem, Checklist, CheckPlan, CheckRun, DueCheck, FrequencyRule, Premises
from checks.selectors import todo
from core.export import download, file_response
from core.filters import parse_id
from core.forms import add_service_error
from core.imports.views import upload_page
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from core.uploads import attachments_for
from enterprises.models import Enterprise
from orgs.models import Jurisdiction
from risk.choices import Grade

GOVERNMENT = services.GOVERNMENT_ROLES


# -- home ---------------------------------------------------------------------------------------------------
@business_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    runs = (CheckRun.objects.visible_to(user).select_related("enterprise", "premises", "checklist")
            .order_by("-performed_at", "-pk")[:10])
    enterprise = user.enterprise if services.is_enterprise_user(user) else None
    return render(request, "checks/home.html", {
        "todo": todo(user, today)[:50], "runs": runs, "today": today, "enterprise": enterprise,
        "is_government": services.is_government(user),
        "can_issue": user.has_role(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP)})


# -- the library --------------------------------------------------------------------------------------------
class ChecklistListView(ScopedListView):
    model = Checklist
    filterset_class = ChecklistFilter
    template_name = "checks/checklists.html"

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("enterprise").prefetch_related("domains").order_by("kind", "title", "-pk")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs, "may_publish": self.request.user.has_role(*services.PUBLISHERS)}


def _checklist(request: HttpRequest, pk: int) -> Checklist:
    return get_visible_or_404(Checklist.objects.select_related("enterprise", "owner_unit", "risk_point"),
                              request.user, pk=pk)


@business_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(request, pk)
    user = request.user
    editable = services.may_edit_list(user, checklist)
    used = checklist.runs.exists()
    form = ItemForm(request.POST or None) if editable and not used else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.item_save(actor=user, checklist=checklist, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已添加检查项。"))
                return redirect("checks:checklist", pk=checklist.pk)
    items = list(checklist.items.select_related("domain", "verified_by").order_by("position"))
    return render(request, "checks/checklist.html", {
        "checklist": checklist, "items": items, "editable": editable, "used": used, "form": form,
        "version_form": VersionForm() if editable else None,
        "may_verify": user.has_role(Role.OFFICE), "may_copy": services.is_enterprise_user(user)
        and checklist.enterprise_id is None and bool(items),
        "to_verify": sum(1 for i in items if i.to_verify),
        "history": ChangeEvent.objects.for_object(checklist).order_by("-seq")[:20]})


@roles_required(*services.PUBLISHERS)
def checklist_new(request: HttpRequest) -> HttpResponse:
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_publish(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已建立检查表，请添加检查项或导入 Excel。"))
            return redirect("checks:checklist", pk=checklist.pk)
    return render(request, "checks/form.html", {"form": form, "title": _("发布检查表"),
                                                "back": reverse("checks:checklists")})


@business_required
@require_POST
def checklist_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = _checklist(request, pk)
    try:
        copy = services.checklist_copy(actor=request.user, source=source)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])) or _("不能复制该检查表。"))
        return redirect("checks:checklist", pk=source.pk)
    messages.success(request, _("已复制到本企业，可以增补检查项。"))
    return redirect("checks:checklist", pk=copy.pk)


@business_required
@require_POST
def checklist_version(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写新版本号。"))
        return redirect("checks:checklist", pk=checklist.pk)
    try:
        new = services.checklist_new_version(actor=request.user, checklist=checklist,
                                             version=form.cleaned_data["version"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])) or _("您不能修改该检查表。"))
        return redirect("checks:checklist", pk=checklist.pk)
    messages.success(request, _("已生成新版本，排查计划改用新版本。"))
    return redirect("checks:checklist", pk=new.pk)


@business_required
@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = CheckItem.objects.filter(pk=pk).select_related("checklist").first()
    if item is None:
        raise Http404
    checklist = _checklist(request, item.checklist_id)
    try:
        services.item_delete(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])) or _("您不能修改该检查表。"))
    return redirect("checks:checklist", pk=checklist.pk)


@roles_required(Role.OFFICE)
@require_POST
def item_verify(request: HttpRequest, pk: int) -> HttpResponse:
    item = CheckItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    checklist = _checklist(request, item.checklist_id)
    try:
        services.item_verify(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已核对：该条目不合格时将建议判定为重大事故隐患并引用条款。"))
    return redirect("checks:checklist", pk=checklist.pk)


@download("xlsx", pk=Checklist)
@business_required
def checklist_export(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(request, pk)
    return file_response(importer.export(checklist), f"{checklist.title[:60]}-{checklist.version}.xlsx")


@download("xlsx", user_text=False)
@business_required
def checklist_template(request: HttpRequest) -> HttpResponse:
    return file_response(importer.template(), "检查表导入模板.xlsx")


@business_required
def checklist_import(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(request, pk)
    if not services.may_edit_list(request.user, checklist):
        raise PermissionDenied
    return upload_page(request, kind=importer.IMPORTER.key, form=ImportForm(request.POST or None, request.FILES or None),
                       template="checks/import.html", context={"checklist": checklist},
                       params=lambda data: {"checklist": checklist.pk})


# -- plans --------------------------------------------------------------------------------------------------
class PlanListView(ScopedListView):
    model = CheckPlan
    filterset_class = PlanFilter
    template_name = "checks/plans.html"

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("enterprise", "premises", "checklist", "risk_point", "unit").order_by("-pk")


def _checklists_for(user: Any, enterprise: Any = None) -> QuerySet:
    qs = Checklist.objects.visible_to(user).filter(current=True).exclude(text_status="pending")
    if enterprise is not None:
        from django.db.models import Q

        return qs.filter(Q(enterprise__isnull=True) | Q(enterprise=enterprise)).order_by("kind", "title")
    return qs.filter(enterprise__isnull=True).order_by("kind", "title")


@business_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    enterprise = premises = None
    ent_id, prem_id = parse_id(request.GET.get("enterprise")), parse_id(request.GET.get("premises"))
    if services.is_enterprise_user(user):
        enterprise = user.enterprise
    elif ent_id:
        enterprise = get_visible_or_404(Enterprise.objects.all(), user, pk=ent_id)
    elif prem_id:
        premises = get_visible_or_404(Premises.objects.all(), user, pk=prem_id)
    if enterprise is None and premises is None:
        messages.info(request, _("请从企业或场所页面安排排查计划。"))
        return redirect("checks:premises")
    form = PlanForm(request.POST or None, checklists=_checklists_for(user, enterprise),
                    initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=user, enterprise=enterprise, premises=premises, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            services.generate_due(plans=CheckPlan.objects.filter(pk=plan.pk))
            messages.success(request, _("已建立排查计划。"))
            return redirect("checks:plans")
    return render(request, "checks/form.html", {
        "form": form, "title": _("排查计划：%(t)s") % {"t": enterprise.name if enterprise else premises},
        "back": reverse("checks:plans")})


@business_required
@require_POST
def plan_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(CheckPlan.objects.all(), request.user, pk=pk)
    try:
        services.plan_set_active(actor=request.user, plan=plan, active=not plan.active)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("checks:plans")


@business_required
@require_POST
def enterprise_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Risk measures → check items and plans, for every graded point of an enterprise."""
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    try:
        count, skipped = services.risk_plans_sync_enterprise(actor=request.user, enterprise=enterprise)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])) or _("您不能为该企业生成排查计划。"))
        return redirect("checks:home")
    services.generate_due(plans=CheckPlan.objects.filter(enterprise=enterprise, active=True))
    messages.success(request, _("已按风险点管控措施生成 %(n)s 个排查计划。") % {"n": count})
    for line in skipped:
        messages.info(request, line)
    return redirect(reverse("checks:plans") + f"?enterprise={enterprise.pk}")


@roles_required(Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP)
def campaign(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CampaignForm(request.POST or None, checklists=_checklists_for(user),
                        jurisdictions=Jurisdiction.objects.visible_to(user),
                        initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plans = services.campaign_push(actor=user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            services.generate_due(plans=CheckPlan.objects.filter(pk__in=[p.pk for p in plans]))
            messages.success(request, _("已向 %(n)s 家企业下发专项检查。") % {"n": len(plans)})
            return redirect("checks:plans")
    return render(request, "checks/form.html", {"form": form, "title": _("下发专项检查"),
                                                "back": reverse("checks:plans")})


@business_required
def frequency(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = FrequencyForm(request.POST or None) if user.has_role(Role.OFFICE) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.frequency_rule_save(actor=user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存排查频次规则；各企业重新生成排查计划时生效。"))
                return redirect("checks:frequency")
    saved = dict(FrequencyRule.objects.values_list("grade", "frequency"))
    rows = [(Grade(grade).label, Frequency(saved.get(grade, default)).label, grade in saved)
            for grade, default in services.DEFAULT_FREQUENCY.items()]
    return render(request, "checks/frequency.html", {"rows": rows, "form": form})


# -- premises -----------------------------------------------------------------------------------------------
class PremisesListView(ScopedListView):
    model = Premises
    filterset_class = PremisesFilter
    template_name = "checks/premises.html"

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("jurisdiction", "domain")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs, "may_add": services.is_government(self.request.user),
                "lists": _checklists_for(self.request.user)}


@roles_required(*GOVERNMENT)
def premises_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    places = Jurisdiction.objects.filter(path__startswith=user.unit.jurisdiction_path) if user.unit_id and \
        user.unit.jurisdiction_path else Jurisdiction.objects.none()
    form = PremisesForm(request.POST or None, jurisdictions=places)
    if request.method == "POST" and form.is_valid():
        try:
            services.premises_create(actor=user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记检查场所。"))
            return redirect("checks:premises")
    return render(request, "checks/form.html", {"form": form, "title": _("登记检查场所"),
                                                "back": reverse("checks:premises")})


# -- the run form -------------------------------------------------------------------------------------------
def _run_target(request: HttpRequest) -> dict[str, Any]:
    """What the form checks: a due check, a plan, or a checklist with an enterprise or a premises."""
    user, q = request.user, request.GET if request.method == "GET" else request.POST
    due = plan = enterprise = premises = risk_point = None
    if parse_id(q.get("due")):
        due = get_visible_or_404(DueCheck.objects.select_related("plan"), user, pk=parse_id(q.get("due")))
        plan = due.plan
    elif parse_id(q.get("plan")):
        plan = get_visible_or_404(CheckPlan.objects.all(), user, pk=parse_id(q.get("plan")))
    if plan is not None:
        checklist = plan.checklist
        enterprise, premises, risk_point = plan.enterprise, plan.premises, plan.risk_point
    else:
        checklist = get_visible_or_404(Checklist.objects.all(), user, pk=parse_id(q.get("checklist")) or 0)
        if services.is_enterprise_user(user):
            enterprise = user.enterprise
        elif parse_id(q.get("enterprise")):
            enterprise = get_visible_or_404(Enterprise.objects.all(), user, pk=parse_id(q.get("enterprise")))
        elif parse_id(q.get("premises")):
            premises = get_visible_or_404(Premises.objects.all(), user, pk=parse_id(q.get("premises")))
        else:
            raise Http404
    return {"due": due, "plan": plan, "checklist": checklist, "enterprise": enterprise, "premises": premises,
            "risk_point": risk_point}


def _decimal(raw: str, label: str, errors: list[str]) -> decimal.Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = decimal.Decimal(raw)
    except decimal.InvalidOperation:
        errors.append(_("“%(l)s”应为数字。") % {"l": label})
        return None
    if not value.is_finite():
        errors.append(_("“%(l)s”应为数字。") % {"l": label})
        return None
    return value


def _results_from_post(request: HttpRequest, items: list[CheckItem]) -> tuple[list[services.ResultInput], list[str]]:
    post, files = request.POST, request.FILES
    results, errors = [], []
    for item in items:
        key = str(item.pk)
        outcome = post.get(f"outcome_{key}", Outcome.PASS)
        value = _decimal(post.get(f"value_{key}", ""), f"{item.position}. {item.text[:20]}", errors) \
            if item.item_type == ItemType.VALUE else None
        results.append(services.ResultInput(
            item=item.pk, outcome=outcome, value=value, note=post.get(f"note_{key}", "")[:500],
            disposal=post.get(f"disposal_{key}", Disposal.HAZARD),  # a value outside its limits fails too
            fix_action=post.get(f"fix_{key}", "")[:500], photos=files.getlist(f"photo_{key}"),
            fix_photos=files.getlist(f"fixphoto_{key}")))
    return results, errors


@business_required
def run_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    target = _run_target(request)
    checklist = target["checklist"]
    if not services.may_check(user, enterprise=target["enterprise"], premises=target["premises"]):
        raise PermissionDenied
    items = list(checklist.items.order_by("position"))
    for item in items:
        posted = request.POST.get(f"outcome_{item.pk}") if request.method == "POST" else None
        item.posted_outcome = posted if posted in Outcome.values else Outcome.PASS  # type: ignore[attr-defined]
    errors: list[str] = []
    if request.method == "POST":
        results, errors = _results_from_post(request, items)
        longitude = _decimal(request.POST.get("longitude", ""), _("经度"), errors)
        latitude = _decimal(request.POST.get("latitude", ""), _("纬度"), errors)
        if not errors:
            try:
                run, created = services.run_record(
                    actor=user, uuid=request.POST.get("uuid", ""), checklist=checklist, results=results,
                    enterprise=target["enterprise"], premises=target["premises"], plan=target["plan"],
                    due=target["due"], risk_point=target["risk_point"], place=request.POST.get("place", ""),
                    longitude=longitude, latitude=latitude, note=request.POST.get("note", ""),
                    submit=request.POST.get("action") != "draft")
            except (ValidationError, PermissionDenied) as exc:
                errors = list(getattr(exc, "messages", None) or [str(exc) or _("您没有执行此操作的权限。")])
            else:
                if not created:
                    messages.info(request, _("该检查记录已提交过，未重复登记。"))
                elif run.is_submitted:
                    messages.success(request, _("检查记录已提交：%(f)s 项不合格，登记隐患 %(h)s 条，立查立改 %(s)s 项。")
                                     % {"f": run.items_failed, "h": run.hazards_created, "s": run.fixed_on_spot})
                else:
                    messages.success(request, _("已保存草稿。"))
                return redirect("checks:run", pk=run.pk)
    return render(request, "checks/run_form.html", {
        **target, "items": items, "errors": errors, "uuid": request.POST.get("uuid") or uuidlib.uuid4(),
        "post": request.POST, "outcomes": Outcome.choices, "now": timezone.now()}, status=400 if errors else 200)


def _run(request: HttpRequest, pk: int) -> CheckRun:
    return get_visible_or_404(
        CheckRun.objects.select_related("enterprise", "premises", "checklist", "checker", "checker_unit",
                                        "risk_point", "plan", "domain", "jurisdiction"), request.user, pk=pk)


@business_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    results = list(run.results.select_related("item", "hazard", "fix").order_by("item__position"))
    photos: dict[int, list[Any]] = {}
    fixes: dict[int, list[Any]] = {}
    for a in attachments_for(run):
        kind, _sep, item = a.role.partition(":")
        (photos if kind == "item" else fixes).setdefault(int(item or 0), []).append(a)
    for r in results:
        r.photos, r.fix_photos = photos.get(r.item_id, []), fixes.get(r.item_id, [])  # type: ignore[attr-defined]
    stored = {r.item_id for r in results}
    passed = [i for i in run.checklist.items.order_by("position") if i.pk not in stored]
    return render(request, "checks/run.html", {
        "run": run, "results": results, "passed": passed, "due": getattr(run, "due", None),
        "may_submit": not run.is_submitted and run.checker_id == request.user.pk,
        "history": ChangeEvent.objects.for_object(run).order_by("-seq")[:20]})


@business_required
@require_POST
def run_submit(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    try:
        services.run_transition(run=run, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])) or _("不能提交。"))
    else:
        messages.success(request, _("检查记录已提交。"))
    return redirect("checks:run", pk=run.pk)


class RunListView(ScopedListView):
    model = CheckRun
    filterset_class = RunFilter
    template_name = "checks/runs.html"
    export_filename = "检查记录.xlsx"
    export_columns = [
        ("检查时间", lambda r: r.performed_at), ("被检查对象", lambda r: r.target_name),
        ("检查表", lambda r: r.checklist.title), ("检查人", lambda r: r.checker.full_name or r.checker.username),
        ("政府检查", lambda r: r.by_government), ("检查项数", lambda r: r.items_total),
        ("不合格项", lambda r: r.items_failed), ("登记隐患", lambda r: r.hazards_created),
        ("立查立改", lambda r: r.fixed_on_spot), ("状态", lambda r: r.get_status_display()),
    ]

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("enterprise", "premises", "checklist", "checker").order_by("-performed_at", "-pk")


class DueListView(ScopedListView):
    model = DueCheck
    filterset_class = DueFilter
    template_name = "checks/due.html"

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("plan", "enterprise", "premises", "run").order_by("-due_on", "shift", "-pk")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs, "today": timezone.localdate()}


@business_required
def due_detail(request: HttpRequest, pk: int) -> HttpResponse:
    due = get_visible_or_404(DueCheck.objects.select_related("plan", "run"), request.user, pk=pk)
    if due.run_id:
        return redirect("checks:run", pk=due.run_id)
    if services.may_check(request.user, enterprise=due.enterprise, premises=due.premises):
        return redirect(reverse("checks:run_new") + f"?due={due.pk}")
    return redirect(reverse("checks:due") + f"?plan={due.plan_id}")


def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker of the run form, served under /checks/ so that its scope covers the form."""
    from django.contrib.staticfiles import finders

    path = finders.find("checks/sw.js")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as fh:
        response = HttpResponse(fh.read(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


# -- figures ------------------------------------------------------------------------------------------------
@business_required
def figures_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    end = _date(request.GET.get("end")) or today
    start = _date(request.GET.get("start")) or end - dt.timedelta(days=29)
    if start > end:
        start, end = end, start
    if (end - start).days > 366:
        start = end - dt.timedelta(days=366)
        messages.info(request, _("统计区间最长一年，已截取最近一年。"))
    group = request.GET.get("group")
    group = group if group in figure_module.GROUPS else "enterprise"
    groups = figure_module.figures(request.user, start, end, group=group, today=today)
    return render(request, "checks/figures.html", {
        "groups": groups, "total": figure_module.totals(groups), "start": start, "end": end, "group": group,
        "group_choices": [("enterprise", _("按企业/场所")), ("township", _("按乡镇（街道、园区）")),
                          ("domain", _("按行业领域"))]})


def _date(raw: Any) -> dt.date | None:
    try:
        value = parse_date(str(raw or ""))
    except ValueError:
        return None
    if value is None or not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        return None
    return value

