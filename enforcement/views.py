"""Pages of the enforcement module. Every read starts from ``visible_to``; out of scope is 404."""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from checks.choices import Outcome
from checks.models import Premises
from core.export import download, file_response
from core.filters import parse_id
from core.forms import add_service_error, add_service_message
from core.imports.views import upload_page
from core.listing import ScopedListView
from core.paging import page_of
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from core.uploads import attachments_for
from credit.models import CreditEvent
from enforcement import checklists, doc_templates, plans, services
from enforcement.choices import CaseStatus, DrawStatus, FindingResult, InspectionStatus
from enforcement.exports import draw_zip
from enforcement.filters import CaseFilter, DrawFilter, InspectionFilter
from enforcement.forms import (
    CaseOpenForm,
    CloseForm,
    CoerciveForm,
    ConflictForm,
    DrawForm,
    EmptyForm,
    ExecutedForm,
    ExecuteForm,
    FindingForm,
    InspectionForm,
    InspectorForm,
    MatterForm,
    NoteForm,
    PenaltyForm,
    PlanUploadForm,
    RecordForm,
    ServeForm,
    StartForm,
    StatementForm,
    WithdrawForm,
)
from enforcement.models import (
    AnnualPlan,
    Case,
    Draw,
    Inspection,
    InspectionMatter,
    Inspector,
    PlanRow,
)
from enforcement.workflow import CASE_TRANSITIONS, DRAW_TRANSITIONS, INSPECTION_TRANSITIONS
from enterprises.models import Enterprise


def _is_department(user: Any) -> bool:
    return user.has_role(Role.REGULATOR) and bool(user.unit_id) and user.unit.kind == "department"


@business_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    counts = {
        "matters": InspectionMatter.objects.visible_to(user).count(),
        "inspectors": Inspector.objects.visible_to(user).count(),
        "plans": AnnualPlan.objects.visible_to(user).count(),
        "draws": Draw.objects.visible_to(user).count(),
        "inspections": Inspection.objects.visible_to(user).count(),
    }
    return render(request, "enforcement/home.html", {"counts": counts, "is_department": _is_department(user)})


# -- 一单两库 ----------------------------------------------------------------------------------------------

@business_required
def matters(request: HttpRequest) -> HttpResponse:
    qs = InspectionMatter.objects.visible_to(request.user).select_related("department", "domain")
    page = page_of(qs, 50, request.GET.get("page"))
    return render(request, "enforcement/matters.html", {"page": page, "objects": page.object_list,
                                                      "is_department": _is_department(request.user)})


@roles_required(Role.REGULATOR)
def matter_new(request: HttpRequest) -> HttpResponse:
    form = MatterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.matter_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已加入抽查事项清单。"))
            return redirect("enforcement:matters")
    return render(request, "enforcement/form.html", {"form": form, "title": _("新增抽查事项"),
                                                     "back": "enforcement:matters"})


@business_required
def inspectors(request: HttpRequest) -> HttpResponse:
    qs = (Inspector.objects.visible_to(request.user).select_related("department", "home")
          .prefetch_related("specialties").annotate(conflict_count=Count("conflicts")).order_by("department_id", "name", "pk"))
    page = page_of(qs, 50, request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "enforcement/inspectors.html", {
        "page": page, "objects": page.object_list, "today": today, "is_department": _is_department(request.user),
        "conflict_form": ConflictForm(user=request.user)})


@roles_required(Role.REGULATOR)
def inspector_new(request: HttpRequest) -> HttpResponse:
    form = InspectorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspector_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已加入执法检查人员名录库。"))
            return redirect("enforcement:inspectors")
    return render(request, "enforcement/form.html", {"form": form, "title": _("新增执法检查人员"),
                                                     "back": "enforcement:inspectors"})


@require_POST
@business_required
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_visible_or_404(Inspector.objects.all(), request.user, pk=pk)
    form = ConflictForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.conflict_declare(actor=request.user, inspector=inspector, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_message(request, exc)
        else:
            messages.success(request, _("已记录回避申报。"))
    else:
        messages.error(request, _("请选择回避的企业或地区并写明事由。"))
    return redirect("enforcement:inspectors")


@business_required
def directory(request: HttpRequest) -> HttpResponse:
    """检查对象名录库: the enterprises in the viewer's scope with class, last inspected, complaints, violations;
    and the non-registered premises."""
    qs = Enterprise.objects.visible_to(request.user).select_related("jurisdiction").order_by("name", "pk")
    page = page_of(qs, 50, request.GET.get("page"))
    rows = list(page.object_list)
    facts = services.directory_facts(rows, year=timezone.localdate().year, viewer=request.user)
    premises = Premises.objects.visible_to(request.user).select_related("jurisdiction", "domain")[:200]
    return render(request, "enforcement/directory.html", {
        "page": page, "rows": [(e, facts[e.pk]) for e in rows], "premises": premises})


# -- plans -------------------------------------------------------------------------------------------------

@business_required
def plan_list(request: HttpRequest) -> HttpResponse:
    qs = AnnualPlan.objects.visible_to(request.user).select_related("department").annotate(n=Count("rows"))
    return render(request, "enforcement/plans.html", {"plans": qs[:200], "is_department": _is_department(request.user),
                                                      "year": timezone.localdate().year})


@business_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(AnnualPlan.objects.select_related("department"), request.user, pk=pk)
    rows = plan.rows.prefetch_related("named").annotate(draw_count_done=Count("draws"))
    return render(request, "enforcement/plan_detail.html", {
        "plan": plan, "rows": [(r, plans.population_text(r), plans.frequency_text(r)) for r in rows]})


@download("xlsx", pk=AnnualPlan)
@business_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(AnnualPlan.objects.all(), request.user, pk=pk)
    return file_response(plans.plan_xlsx(plan), f"{plan.year}年度监督检查计划.xlsx")


@download("xlsx", user_text=False)
@business_required
def plan_template(request: HttpRequest) -> HttpResponse:
    return file_response(plans.template(), "年度监督检查计划模板.xlsx")


@roles_required(Role.REGULATOR)
def plan_import(request: HttpRequest) -> HttpResponse:
    form = PlanUploadForm(request.POST or None, request.FILES or None,
                          initial={"year": timezone.localdate().year})
    return upload_page(request, kind=plans.IMPORTER.key, form=form, template="enforcement/plan_import.html",
                       params=lambda data: {"year": data["year"]})


@require_POST
@roles_required(Role.REGULATOR)
def plan_derive(request: HttpRequest) -> HttpResponse:
    try:
        plan = plans.plan_derive(actor=request.user, year=timezone.localdate().year)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
        return redirect("enforcement:plans")
    messages.success(request, _("已按分类分级生成年度监督检查计划。"))
    return redirect("enforcement:plan", pk=plan.pk)


# -- draws -------------------------------------------------------------------------------------------------

class DrawListView(ScopedListView):
    model = Draw
    filterset_class = DrawFilter
    template_name = "enforcement/draws.html"

    def decorate(self, qs: Any) -> Any:
        return qs.select_related("department").defer("population_gz", "inspectors_gz", "result")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs, "is_department": _is_department(self.request.user)}


@roles_required(Role.REGULATOR)
def draw_new(request: HttpRequest) -> HttpResponse:
    form = DrawForm(request.POST or None, initial={"plan_row": request.GET.get("row")})
    plan_row = None
    row_id = request.GET.get("row") or request.POST.get("plan_row")
    if row_id and str(row_id).isdigit() and len(str(row_id)) < 18:
        plan_row = PlanRow.objects.filter(plan__in=AnnualPlan.objects.visible_to(request.user), pk=row_id).first()
    if plan_row is not None and request.method != "POST":
        ratio = plan_row.draw_ratio
        form.initial.update({"title": plan_row.matter, "stratify": "all",
                             "strata": f"全部={plan_row.draw_count}" if plan_row.draw_count
                             else f"all={(ratio * 100).normalize()}%" if ratio is not None else "all=1",
                             "domain": plan_row.domain_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filters = {"domain": data["domain"].pk if data["domain"] else None,
                   "township": data["township"].path if data["township"] else None}
        try:
            draw = services.draw_commit(
                actor=request.user, title=data["title"], strata=data["strata"], stratify=data["stratify"],
                public_source=data["public_source"], operator_secret=data["operator_secret"],
                witness_name=data["witness_name"], witness_secret=data["witness_secret"], filters=filters,
                plan_row=plan_row, per_target=data["per_target"], joint_departments=list(data["joint"]),
                recuse_same_township=data["recuse_same_township"],
                max_targets_per_inspector=data["max_targets_per_inspector"],
                assignment_days=data["assignment_days"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已公布抽取承诺，请在公开随机值产生后抽取。"))
            return redirect("enforcement:draw", pk=draw.pk)
    return render(request, "enforcement/draw_form.html", {"form": form, "plan_row": plan_row})


def _target_names(draw: Draw, public: bool = False) -> dict[str, str]:
    """Names by the draw's own target ids (through ``Draw.target_aliases`` for premises moved since)."""
    real = {t["id"]: services.resolve_target(draw, t["id"]) for t in (draw.result or {}).get("targets", [])}
    ids = list(real.values())
    ents = Enterprise.objects.in_bulk([int(i[1:]) for i in ids if i.startswith("e")])
    places = Premises.objects.in_bulk([int(i[1:]) for i in ids if i.startswith("p")])
    names = {f"e{k}": services.public_target_name(v.name, credit_code=v.credit_code) if public else v.name
             for k, v in ents.items()}
    names.update({f"p{k}": services.public_target_name(v.name, premises=True) if public else v.name
                  for k, v in places.items()})
    return {own: names[now] for own, now in real.items() if now in names}


def _inspector_names(ids: list[str], mask: bool = False) -> dict[str, str]:
    found = Inspector.objects.in_bulk([int(i[1:]) for i in ids])
    return {f"i{k}": (services.mask_name(v.name) if mask else v.name) for k, v in found.items()}


def _draw_rows(draw: Draw, mask: bool = False) -> list[dict[str, Any]]:
    result = draw.result or {}
    names = _target_names(draw, public=mask)
    everyone = [i for t in result.get("targets", []) for i in t["inspectors"]]
    people = _inspector_names(everyone, mask=mask)
    return [{"order": t["order"], "id": t["id"], "name": names.get(t["id"], t["id"]), "stratum": t["stratum"],
             "inspectors": [people.get(i, i) for i in t["inspectors"]], "short": t["id"] in result.get("shortfall", [])}
            for t in result.get("targets", [])]


@business_required
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_visible_or_404(Draw.objects.select_related("department", "committed_by", "plan_row"), request.user,
                              pk=pk)
    moves = {move.action: move for _to, move in DRAW_TRANSITIONS.allowed(request.user, draw)}
    inspections = {i.enterprise_id or i.premises_id: i for i in draw.inspections.all()}
    return render(request, "enforcement/draw_detail.html", {
        "draw": draw, "rows": _draw_rows(draw), "attempts": draw.attempts.select_related("actor"),
        "execute_form": ExecuteForm() if "execute" in moves else None,
        "void_form": NoteForm() if "cancel" in moves else None, "inspections": inspections,
        "inspection_list": draw.inspections.select_related("enterprise", "premises")})


@require_POST
@business_required
def draw_execute(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_visible_or_404(Draw.objects.all(), request.user, pk=pk)
    form = ExecuteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写公开随机值和两项随机输入。"))
        return redirect("enforcement:draw", pk=draw.pk)
    try:
        services.draw_execute(actor=request.user, draw=draw, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("未抽取（本次尝试已记录）：%(e)s") % {
            "e": "；".join(exc.messages if isinstance(exc, ValidationError) else [str(exc)])})
    else:
        messages.success(request, _("已抽取，检查任务已生成。"))
    return redirect("enforcement:draw", pk=draw.pk)


@require_POST
@business_required
def draw_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_visible_or_404(Draw.objects.all(), request.user, pk=pk)
    form = NoteForm(request.POST)
    try:
        services.draw_void(actor=request.user, draw=draw, note=form.data.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已作废。"))
    return redirect("enforcement:draw", pk=draw.pk)


@download("zip", pk=Draw)
@business_required
def draw_package(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_visible_or_404(Draw.objects.all(), request.user, pk=pk)
    return file_response(draw_zip(draw), f"双随机抽查验证材料-{draw.pk}.zip")


# -- inspections -------------------------------------------------------------------------------------------

class InspectionListView(ScopedListView):
    model = Inspection
    filterset_class = InspectionFilter
    template_name = "enforcement/inspections.html"

    def decorate(self, qs: Any) -> Any:
        return qs.select_related("department", "enterprise", "premises")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs, "is_department": _is_department(self.request.user)}


@roles_required(Role.REGULATOR)
def inspection_new(request: HttpRequest) -> HttpResponse:
    form = InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(
                actor=request.user, origin=form.cleaned_data["origin"], enterprise=form.cleaned_data["enterprise"],
                inspectors=list(form.cleaned_data["inspectors"]), planned_date=form.cleaned_data["planned_date"],
                unannounced=form.cleaned_data["unannounced"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("enforcement:inspection", pk=inspection.pk)
    return render(request, "enforcement/form.html", {"form": form, "title": _("新建检查任务"),
                                                     "back": "enforcement:inspections"})


def _inspections() -> Any:
    return Inspection.objects.select_related("department", "enterprise", "premises", "draw")


@business_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(_inspections(), request.user, pk=pk)
    moves = {move.action: move for _to, move in INSPECTION_TRANSITIONS.allowed(request.user, inspection)}
    findings = list(inspection.findings.select_related("hazard"))
    photos = {f.pk: list(attachments_for(f)) for f in findings}
    docs = {d.kind: d for d in inspection.documents.all()}
    doc_kinds = [(k, v, docs.get(k)) for k, v in doc_templates.TITLES.items()]
    may_act = "record" in moves or INSPECTION_TRANSITIONS[(InspectionStatus.ONSITE, InspectionStatus.RECORDED)].who(
        request.user, inspection)
    onsite = inspection.status == InspectionStatus.ONSITE and may_act
    sheet, sheet_items = None, []
    if onsite:
        chosen = parse_id(request.GET.get("checklist"))
        sheet = checklists.library_lists(request.user).filter(pk=chosen).first() if chosen else None
        if sheet is not None:
            done = set(inspection.checklist_results.values_list("item_id", flat=True))
            sheet_items = [(item, item.pk in done) for item in sheet.items.order_by("position")]
    return render(request, "enforcement/inspection_detail.html", {
        "inspection": inspection, "inspectors": inspection.inspectors.all(),
        "findings": [(f, photos[f.pk]) for f in findings],
        "start_form": StartForm(inspection=inspection) if "start" in moves else None,
        "finding_form": FindingForm(initial={"uuid": uuidlib.uuid4()}) if onsite else None,
        "record_form": RecordForm() if "record" in moves else None,
        "close_form": CloseForm() if "close" in moves else None,
        "checklist_choices": checklists.library_lists(request.user).only("pk", "title", "version") if onsite
        else None, "sheet": sheet, "sheet_items": sheet_items, "sheet_uuid": uuidlib.uuid4(),
        "outcomes": Outcome.choices, "coverage": checklists.coverage(inspection),
        "coercive_form": CoerciveForm() if may_act and inspection.status != InspectionStatus.PLANNED
        and doc_templates.COERCIVE not in docs else None,
        "doc_kinds": doc_kinds, "may_act": may_act,
        "source_tips": inspection.tips.visible_to(request.user).only("pk", "code", "received_at"),
        "has_hazards": any(f.result == FindingResult.HAZARD for f in findings)})


def _is_fetch(request: HttpRequest) -> bool:
    """A post from the offline page's script: errors are answered 400 (the script then posts the ordinary way)."""
    return request.headers.get("X-Requested-With") == "fetch"


def _refused(request: HttpRequest, inspection: Inspection, problems: list[str], query: str = "") -> HttpResponse:
    if _is_fetch(request):
        return HttpResponse("；".join(problems), status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, "；".join(problems))
    return redirect(reverse("enforcement:inspection", args=[inspection.pk]) + query)


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("您没有执行此操作的权限。")]


@require_POST
@business_required
def checklist_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The items of a library checklist marked on the inspection page (posted whole, under the page's uuid)."""
    inspection = get_visible_or_404(Inspection.objects.all(), request.user, pk=pk)
    chosen = parse_id(request.POST.get("checklist"))
    checklist = checklists.library_lists(request.user).filter(pk=chosen).first() if chosen else None
    if checklist is None:
        return _refused(request, inspection, [_("请选择检查表库中的现行检查表。")])
    answers = []
    for item_id in checklist.items.values_list("pk", flat=True):
        outcome = request.POST.get(f"outcome_{item_id}", "")
        if outcome in Outcome.values:
            answers.append(checklists.Answer(item=item_id, outcome=outcome,
                                             note=request.POST.get(f"note_{item_id}", "")[:500]))
    deadline = None
    if request.POST.get("deadline"):
        try:
            deadline = dt.date.fromisoformat(request.POST["deadline"])
        except ValueError:
            return _refused(request, inspection, [_("整改期限日期无效。")], f"?checklist={checklist.pk}")
    try:
        sheet, created = checklists.checklist_record(actor=request.user, inspection=inspection,
                                                     uuid=request.POST.get("uuid", ""), checklist=checklist,
                                                     answers=answers, deadline=deadline)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, inspection, _messages_of(exc), f"?checklist={checklist.pk}")
    if created:
        messages.success(request, _("已记录检查表结果：检查%(n)s项，不合格%(f)s项，不适用%(a)s项。") % {
            "n": sheet.items_checked, "f": sheet.items_failed, "a": sheet.items_na})
    else:
        messages.info(request, _("该检查表结果已提交过，未重复登记。"))
    return redirect("enforcement:inspection", pk=inspection.pk)


@require_POST
@business_required
def coercive_issue(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(Inspection.objects.all(), request.user, pk=pk)
    form = CoerciveForm(request.POST)
    if not form.is_valid():
        return _refused(request, inspection, [str(e) for errs in form.errors.values() for e in errs])
    try:
        document = services.coercive_measure_issue(actor=request.user, inspection=inspection, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, inspection, _messages_of(exc))
    messages.success(request, _("已制作强制措施决定书（%(n)s）。") % {"n": document.number})
    return redirect("enforcement:inspection", pk=inspection.pk)


def service_worker(request: HttpRequest) -> HttpResponse:
    """The offline worker of the inspection page, served under /enforcement/ so that its scope covers the page."""
    from django.contrib.staticfiles import finders

    path = finders.find("enforcement/sw.js")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as fh:
        response = HttpResponse(fh.read(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
@business_required
def inspection_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    inspection = get_visible_or_404(Inspection.objects.all(), request.user, pk=pk)
    forms = {"start": StartForm, "record": RecordForm, "close": CloseForm}
    if action not in forms:
        raise Http404
    form = forms[action](request.POST, inspection=inspection) if action == "start" else forms[action](request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
            str(e) for errs in form.errors.values() for e in errs)})
        return redirect("enforcement:inspection", pk=inspection.pk)
    try:
        services.inspection_transition(actor=request.user, inspection=inspection, action=action,
                                       **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("enforcement:inspection", pk=inspection.pk)


@require_POST
@business_required
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(Inspection.objects.all(), request.user, pk=pk)
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, inspection, [_("提交的内容有误：%(e)s") % {"e": "；".join(
            str(e) for errs in form.errors.values() for e in errs)}])
    data = form.cleaned_data
    try:
        services.finding_add(actor=request.user, inspection=inspection, text=data["text"], basis=data["basis"],
                             result=data["result"], deadline=data["deadline"], photos=data["photos"],
                             uuid=str(data["uuid"]) if data.get("uuid") else None)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, inspection, _messages_of(exc))
    messages.success(request, _("已记录检查发现。"))
    return redirect("enforcement:inspection", pk=inspection.pk)


@download("docx", pk=Inspection, kind=lambda: list(doc_templates.TITLES))
@business_required
def document_docx(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The numbered 执法文书 (issued on first download, the number then stays) as .docx."""
    from documents.rendering import generate

    inspection = get_visible_or_404(_inspections(), request.user, pk=pk)
    if kind not in doc_templates.TITLES:
        raise Http404
    existing = inspection.documents.filter(kind=kind).first()
    if existing is None:
        try:
            existing = services.document_issue(actor=request.user, inspection=inspection, kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            add_service_message(request, exc)
            return redirect("enforcement:inspection", pk=inspection.pk)
    data = generate(kind, doc_templates.context(inspection, kind, existing.number),
                    owners=[inspection.department], title=existing.number)
    return file_response(data, f"{doc_templates.TITLES[kind]}-{existing.number}.docx")


# -- 一公开 (no login) -------------------------------------------------------------------------------------

def public(request: HttpRequest) -> HttpResponse:
    """The public page: lists, plans, draws with their proofs, inspection results; names of people masked."""
    items_qs = InspectionMatter.objects.filter(public=True).select_related("department")[:500]
    plans_qs = AnnualPlan.objects.select_related("department").annotate(n=Count("rows"))[:100]
    draws = (Draw.objects.filter(status__in=[DrawStatus.COMMITTED, DrawStatus.DRAWN, DrawStatus.VOID])
             .select_related("department").defer("population_gz", "inspectors_gz")[:100])
    closed = (Inspection.objects.filter(Q(status=InspectionStatus.CLOSED) | Q(status=InspectionStatus.RECORDED))
              .select_related("department", "enterprise", "premises")
              .annotate(hazards=Count("findings", filter=Q(findings__result=FindingResult.HAZARD)))
              .order_by("-finished_at", "-pk")[:200])
    penalties = (Case.objects.filter(published_at__isnull=False, withdrawn_at__isnull=True)
                 .select_related("department", "enterprise").prefetch_related("documents")
                 .order_by("-decided_on", "-pk")[:200])
    for inspection in closed:
        target = inspection.enterprise or inspection.premises
        inspection.public_name = services.public_target_name(  # type: ignore[attr-defined]
            str(target or ""), premises=inspection.premises_id is not None,
            credit_code=getattr(target, "credit_code", ""))
    return render(request, "enforcement/public.html", {
        "items": items_qs, "plans": plans_qs, "draws": draws, "inspections": closed,
        "penalties": [(c, services.penalty_summary(c),
                       next((d for d in c.documents.all() if d.kind == "enforcement_penalty_decision"), None))
                      for c in penalties]})


def public_draw(request: HttpRequest, pk: int) -> HttpResponse:
    draw = Draw.objects.filter(pk=pk).select_related("department").first()
    if draw is None:
        raise Http404
    return render(request, "enforcement/public_draw.html", {"draw": draw, "rows": _draw_rows(draw, mask=True),
                                                            "attempts": draw.attempts.all()})


@download("zip", user_text=True, pk=Draw)
def public_draw_package(request: HttpRequest, pk: int) -> HttpResponse:
    draw = Draw.objects.filter(pk=pk).first()
    if draw is None:
        raise Http404
    return file_response(draw_zip(draw, public=True), f"双随机抽查验证材料-{draw.pk}.zip")


# -- penalty cases -----------------------------------------------------------------------------------------

class CaseListView(ScopedListView):
    model = Case
    filterset_class = CaseFilter
    template_name = "enforcement/cases.html"

    def decorate(self, qs: Any) -> Any:
        return qs.select_related("department", "enterprise")


@require_POST
@roles_required(Role.REGULATOR)
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(_inspections(), request.user, pk=pk)
    form = CaseOpenForm(request.POST)
    if not form.is_valid() or inspection.enterprise_id is None:
        messages.error(request, _("请填写案由（只有企业可以立案）。"))
        return redirect("enforcement:inspection", pk=inspection.pk)
    try:
        case = services.case_open(actor=request.user, enterprise=inspection.enterprise, inspection=inspection,
                                  cause=form.cleaned_data["cause"])
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
        return redirect("enforcement:inspection", pk=inspection.pk)
    messages.success(request, _("已立案。"))
    return redirect("enforcement:case", pk=case.pk)


CASE_FORMS: dict[str, Any] = {"investigate": EmptyForm, "notify": PenaltyForm, "hear": StatementForm,
                              "decide": PenaltyForm, "serve": ServeForm, "execute": ExecutedForm, "close": EmptyForm}


@business_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(Case.objects.select_related("department", "enterprise", "inspection"), request.user,
                              pk=pk)
    moves = []
    for _to, move in CASE_TRANSITIONS.allowed(request.user, case):
        initial = {"facts": case.facts, "basis": case.basis, "penalty_types": case.penalty_types,
                   "fine_amount": case.fine_amount, "confiscation_amount": case.confiscation_amount}
        moves.append({"move": move, "form": CASE_FORMS[move.action](initial=initial)})
    department = CASE_TRANSITIONS[(CaseStatus.FILED, CaseStatus.INVESTIGATING)].who(request.user, case)
    return render(request, "enforcement/case_detail.html", {
        "case": case, "moves": moves, "documents": case.documents.all(), "department": department,
        "credit": CreditEvent.objects.visible_to(request.user).filter(source_type="enforcement.case", source_id=case.pk),
        "penalty": services.penalty_summary(case), "withdraw_form": WithdrawForm(),
        # 来源举报: the tips (reverse relation) this case was opened on, as far as the viewer may see them.
        "source_tips": case.tips.visible_to(request.user).only("pk", "code", "received_at")})


@require_POST
@business_required
def case_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = get_visible_or_404(Case.objects.all(), request.user, pk=pk)
    if action not in CASE_FORMS:
        raise Http404
    form = CASE_FORMS[action](request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
            str(e) for errs in form.errors.values() for e in errs)})
        return redirect("enforcement:case", pk=case.pk)
    try:
        services.case_transition(actor=request.user, case=case, action=action, note=request.POST.get("note", ""),
                                 **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("enforcement:case", pk=case.pk)


@require_POST
@business_required
def case_publish(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(Case.objects.all(), request.user, pk=pk)
    try:
        if request.POST.get("withdraw"):
            services.case_withdraw(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        else:
            services.case_publish(actor=request.user, case=case)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("enforcement:case", pk=case.pk)


@download("docx", pk=Case, kind=lambda: list(doc_templates.CASE_TITLES))
@business_required
def case_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    from documents.rendering import generate

    case = get_visible_or_404(Case.objects.select_related("department", "enterprise"), request.user, pk=pk)
    if kind not in doc_templates.CASE_TITLES:
        raise Http404
    document = case.documents.filter(kind=kind).first()
    if document is None:
        raise Http404
    data = generate(kind, doc_templates.case_context(case, document.number), owners=[case.department],
                    title=document.number)
    return file_response(data, f"{doc_templates.CASE_TITLES[kind]}-{document.number}.docx")


# -- figures ---------------------------------------------------------------------------------------------

@business_required
def figures(request: HttpRequest) -> HttpResponse:
    """检查户次, 重点 vs 双随机, plan coverage, hazards per inspection, penalties and amounts, repeat offenders, per
    department and per township: everything counted from ``visible_to``; each figure links to its list."""
    from enforcement import figures as calc

    year = timezone.localdate().year
    return render(request, "enforcement/figures.html", {"year": year, **calc.figures(request.user, year)})
