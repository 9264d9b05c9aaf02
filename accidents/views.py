"""Pages of the accidents module. Every read starts from ``visible_to``; out of scope is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accidents import bulletin as bulletin_module
from accidents import doc_templates, services
from accidents.choices import AttachmentRole, Status, WarningRange
from accidents.filters import AccidentFilter
from accidents.forms import (
    MOVE_FORMS,
    AccidentForm,
    AttachForm,
    BulletinForm,
    EditForm,
    FindingForm,
    ImportForm,
    ReviseForm,
)
from accidents.grading import REVISION_SOURCE, SOURCE, THRESHOLDS
from accidents.importer import IMPORTER, template
from accidents.models import Accident, Bulletin
from accidents.selectors import month_comparison, trend, year_to_date
from accidents.warnings import FIRE_WARNING_RULES, SEED_TEXT
from accidents.workflow import ACCIDENT_TRANSITIONS, INVESTIGATORS, REGISTRARS
from core.export import download, file_response
from core.filters import parse_int
from core.forms import add_service_error, add_service_message
from core.imports.views import upload_page
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from core.uploads import attachments_for


def _refused(request: HttpRequest, form: Any) -> None:
    """A small form on the detail page was not valid: say why at the top of the page it returns to."""
    messages.error(request, _("提交的内容有误：%(e)s") % {"e": "；".join(
        str(e) for errs in form.errors.values() for e in errs)})


class AccidentListView(ScopedListView):
    model = Accident
    filterset_class = AccidentFilter
    template_name = "accidents/list.html"
    sort_fields = {"occurred_at": "occurred_at", "deaths": "deaths", "grade": "grade"}
    export_filename = "生产安全事故.xlsx"
    export_columns = (
        ("事故编号", lambda a: a.number),
        ("发生时间", lambda a: timezone.localtime(a.occurred_at).strftime("%Y-%m-%d %H:%M")),
        ("事故类别", lambda a: a.get_accident_type_display()),
        ("属地", lambda a: a.jurisdiction.name),
        ("事故地点", lambda a: a.address),
        ("事故单位", lambda a: a.enterprise.name if a.enterprise_id else ""),
        ("行业领域", lambda a: a.domain.name),
        ("死亡人数", lambda a: a.deaths),
        ("重伤人数", lambda a: a.serious_injuries),
        ("轻伤人数", lambda a: a.injuries),
        ("直接经济损失（万元）", lambda a: str(a.direct_loss)),
        ("事故等级", lambda a: a.get_grade_display()),
        ("状态", lambda a: a.get_status_display()),
        ("事故简要经过", lambda a: a.summary),
    )

    def decorate(self, qs: Any) -> Any:
        return qs.select_related("jurisdiction", "domain", "enterprise")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs, "can_register": self.request.user.has_role(*REGISTRARS)}


@roles_required(*REGISTRARS)
def accident_new(request: HttpRequest) -> HttpResponse:
    form = AccidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            accident = services.accident_register(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记事故，事故等级：%(g)s。") % {"g": accident.get_grade_display()})
            return redirect("accidents:detail", pk=accident.pk)
    return render(request, "accidents/form.html", {"form": form, "title": _("登记生产安全事故"), "source": SOURCE})


def _visible(request: HttpRequest, pk: int) -> Accident:
    return get_visible_or_404(Accident.objects.select_related("jurisdiction", "domain", "enterprise"), request.user,
                              pk=pk)


@business_required
def accident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _visible(request, pk)
    user = request.user
    moves = [{"move": move, "form": MOVE_FORMS[move.action]()} for _to, move in
             ACCIDENT_TRANSITIONS.allowed(user, accident)]
    registrar = user.has_role(*REGISTRARS)
    investigator = user.has_role(*INVESTIGATORS)
    revisable = accident.revisable()
    fire = accident.fire_warning()
    return render(request, "accidents/detail.html", {
        "accident": accident, "moves": moves, "source": SOURCE, "revision_source": REVISION_SOURCE,
        "revisions": accident.revisions.select_related("actor"), "events": accident.events.select_related("actor"),
        "findings": accident.findings.all(), "fire_warning": fire,
        "fire_warning_label": WarningRange(fire).label if fire else "",
        "reports": attachments_for(accident, AttachmentRole.REPORT),
        "evaluations": attachments_for(accident, AttachmentRole.EVALUATION),
        "revise_form": ReviseForm(initial={"deaths": accident.deaths, "serious_injuries": accident.serious_injuries,
                                           "injuries": accident.injuries}) if registrar and revisable else None,
        "revisable": revisable, "registrar": registrar,
        "finding_form": FindingForm() if investigator and accident.status in (Status.INVESTIGATING, Status.REPORTED)
        else None,
        "attach_form": AttachForm() if investigator else None,
        "history": ChangeEvent.objects.for_object(accident)[:100],
    })


@roles_required(*REGISTRARS)
def accident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _visible(request, pk)
    initial = {name: getattr(accident, name) for name in services.EDITABLE}
    form = EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.accident_update(actor=request.user, accident=accident, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accidents:detail", pk=accident.pk)
    return render(request, "accidents/form.html", {"form": form, "title": _("修改事故信息"), "accident": accident})


@require_POST
@roles_required(*REGISTRARS)
def accident_revise(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _visible(request, pk)
    form = ReviseForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("accidents:detail", pk=accident.pk)
    try:
        revision = services.accident_revise(actor=request.user, accident=accident, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        if revision.grade_before != revision.grade_after:
            messages.warning(request, _("已补报伤亡人数，事故等级由“%(a)s”变为“%(b)s”。") % {
                "a": revision.get_grade_before_display(), "b": revision.get_grade_after_display()})
        else:
            messages.success(request, _("已补报伤亡人数。"))
    return redirect("accidents:detail", pk=accident.pk)


@require_POST
@business_required
def accident_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    accident = _visible(request, pk)
    if action not in MOVE_FORMS:
        raise Http404
    form = MOVE_FORMS[action](request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("accidents:detail", pk=accident.pk)
    data = dict(form.cleaned_data)
    note = data.pop("note", "") or ""
    try:
        services.accident_transition(actor=request.user, accident=accident, action=action, note=note, **data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("accidents:detail", pk=accident.pk)


@require_POST
@roles_required(*INVESTIGATORS)
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _visible(request, pk)
    form = FindingForm(request.POST)
    if not form.is_valid():
        _refused(request, form)
        return redirect("accidents:detail", pk=accident.pk)
    try:
        services.finding_add(actor=request.user, accident=accident, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已记录责任认定。"))
    return redirect("accidents:detail", pk=accident.pk)


@require_POST
@roles_required(*INVESTIGATORS)
def accident_attach(request: HttpRequest, pk: int) -> HttpResponse:
    accident = _visible(request, pk)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择材料类别和文件。"))
        return redirect("accidents:detail", pk=accident.pk)
    try:
        services.accident_attach(actor=request.user, accident=accident, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_message(request, exc)
    else:
        messages.success(request, _("已上传。"))
    return redirect("accidents:detail", pk=accident.pk)


def _year_before(moment: dt.datetime) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


@business_required
def lookback(request: HttpRequest, pk: int) -> HttpResponse:
    """责任倒查: the hazards, self-checks and inspections of the accident's enterprise (or, for an accident without
    one, of its place and domain) in the year before it, each through its own ``visible_to``."""
    from checks.models import CheckRun
    from enforcement.models import Inspection
    from hazards.models import Hazard

    accident = _visible(request, pk)
    user = request.user
    end = accident.occurred_at
    start = _year_before(end)
    if accident.enterprise_id:
        target = Q(enterprise_id=accident.enterprise_id)
        inspection_target = target
    else:
        target = Q(enterprise__isnull=True, jurisdiction_path=accident.jurisdiction_path, domain_id=accident.domain_id)
        inspection_target = Q(enterprise__isnull=True, jurisdiction_path=accident.jurisdiction_path,
                              premises__domain_id=accident.domain_id)
    hazards = (Hazard.objects.visible_to(user).filter(target, found_at__gte=start, found_at__lt=end)
               .select_related("domain").order_by("-found_at", "-pk")[:500])
    runs = (CheckRun.objects.visible_to(user).filter(target, performed_at__gte=start, performed_at__lt=end)
            .select_related("checklist").order_by("-performed_at", "-pk")[:500])
    inspections = (Inspection.objects.visible_to(user)
                   .filter(inspection_target)
                   .filter(Q(started_at__gte=start, started_at__lt=end)
                           | Q(started_at__isnull=True, planned_date__gte=start.date(), planned_date__lt=end.date()))
                   .select_related("department", "enterprise", "premises").order_by("-created_at", "-pk")[:500])
    return render(request, "accidents/lookback.html", {
        "accident": accident, "start": start, "end": end, "hazards": hazards, "runs": runs,
        "inspections": inspections})


def _year_param(request: HttpRequest, default: int) -> int:
    return parse_int(request.GET.get("year"), minimum=1990, maximum=2100) or default


@business_required
def figures(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year_param(request, today.year)
    qs = Accident.objects.visible_to(request.user)
    month = parse_int(request.GET.get("month"), minimum=1, maximum=12) or (today.month if year == today.year else 12)
    return render(request, "accidents/figures.html", {
        "year": year, "month": month, "trend": trend(qs, year), "ytd": year_to_date(qs, today),
        "comparison": month_comparison(qs, year, month), "years": range(today.year, today.year - 6, -1),
        "months": range(1, 13), "source": SOURCE, "thresholds": THRESHOLDS})


def _bulletin_month(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1))
    year = parse_int(request.GET.get("year"), minimum=1990, maximum=2100) or last.year
    month = parse_int(request.GET.get("month"), minimum=1, maximum=12) or last.month
    return year, month


def _tasks(user: Any, year: int, month: int) -> str:
    saved = Bulletin.objects.visible_to(user).filter(unit_id=user.unit_id, month=dt.date(year, month, 1)).first()
    return saved.tasks if saved else ""


@business_required
def bulletin(request: HttpRequest) -> HttpResponse:
    year, month = _bulletin_month(request)
    user = request.user
    can_edit = bool(user.unit_id) and user.has_role(*REGISTRARS)
    form = BulletinForm(request.POST or None, initial={"tasks": _tasks(user, year, month)})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.bulletin_save(actor=user, month=dt.date(year, month, 1), tasks=form.cleaned_data["tasks"])
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已保存下月工作任务。"))
                return redirect(f"{request.path}?year={year}&month={month}")
    data = bulletin_module.bulletin_data(Accident.objects.visible_to(user), year, month)
    today = timezone.localdate()
    return render(request, "accidents/bulletin.html", {
        "data": data, "year": year, "month": month, "form": form if can_edit else None,
        "years": range(today.year, today.year - 6, -1), "months": range(1, 13),
        "fire_rules": FIRE_WARNING_RULES, "seed_text": SEED_TEXT})


@download("docx", queries=({}, {"year": "2025", "month": "5"}))
@business_required
def bulletin_docx(request: HttpRequest) -> HttpResponse:
    from documents.rendering import generate
    from documents.selectors import offices_covering, viewer_path

    year, month = _bulletin_month(request)
    user = request.user
    data = bulletin_module.bulletin_data(Accident.objects.visible_to(user), year, month)
    offices = offices_covering(viewer_path(user))
    issuer = (user.unit.name if user.unit_id else "") or (offices[0].name if offices else "")
    context = bulletin_module.context(data, tasks=_tasks(user, year, month), issuer=issuer,
                                      today=timezone.localdate())
    owners = [u for u in ([user.unit] if user.unit_id else []) + offices]
    payload = generate(doc_templates.KEY, context, owners=owners, title=f"{year}年{month}月事故警示通报")
    return file_response(payload, f"事故警示通报-{year}年{month}月.docx")


@roles_required(*REGISTRARS)
def accident_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    return upload_page(request, kind=IMPORTER.key, form=form, template="accidents/import.html")


@download("xlsx", user_text=False)
@roles_required(*REGISTRARS)
def import_template(request: HttpRequest) -> HttpResponse:
    return file_response(template(), "历史事故导入模板.xlsx")
