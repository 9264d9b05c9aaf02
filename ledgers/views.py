from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.export import download, file_response, xlsx_response
from core.filters import parse_id, parse_int
from core.forms import add_service_error
from core.imports.views import upload_page
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required
from core.scoping import get_visible_or_404
from core.uploads import attach, attachments_for
from enterprises.forms import ImportForm
from enterprises.models import Enterprise
from enterprises.services import can_edit_records
from ledgers import importer, lapsing, selectors, services, workflow
from ledgers.filters import FILTERS
from ledgers.forms import PermitActionForm, UploadForm, form_class
from ledgers.models import SafetyCommitment, SpecialEquipment, WorkerCertificate, WorkPermit
from ledgers.specs import SPECS, LedgerSpec, display, ordered_specs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _spec(key: str) -> LedgerSpec:
    spec = SPECS.get(key)
    if spec is None:
        raise Http404
    return spec


class LedgerListView(ScopedListView):
    spec: LedgerSpec
    template_name = "ledgers/row_list.html"

    def decorate(self, qs: QuerySet) -> QuerySet:
        related = ["enterprise"] + (["plan"] if "plan" in self.spec.list_fields else [])
        return qs.select_related(*related)

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        spec = self.spec
        today = timezone.localdate()
        rows = []
        for obj in kwargs["objects"]:
            cells = []
            for name in spec.list_fields:
                value = display(obj, name, spec)
                left = None
                if name == spec.due_field:
                    from ledgers.specs import days_left

                    left = days_left(getattr(obj, name), today)
                cells.append((name, value, left))
            rows.append((obj, cells))
        enterprise = None
        ent_id = parse_id(self.request.GET.get("enterprise"))
        if ent_id is not None:
            enterprise = Enterprise.objects.visible_to(self.request.user).filter(pk=ent_id).first()
        user = self.request.user
        kwargs.update(spec=spec, rows=rows, headers=[spec.model._meta.get_field(n).verbose_name
                                                     for n in spec.list_fields], enterprise=enterprise,
                      can_add=bool(enterprise and can_edit_records(user, enterprise))
                      or (user.has_role(Role.ENTERPRISE) and user.enterprise_id is not None))
        if spec.model is SpecialEquipment:
            kwargs["rates"] = selectors.equipment_rates(kwargs["filter"].qs, today)
        if spec.model is WorkerCertificate:
            kwargs["zero_out"] = selectors.certificate_zero_out(kwargs["filter"].qs, today)
        if spec.key == "duties":
            kwargs["duties"] = (selectors.duty_status(enterprise, today) if enterprise is not None else
                                selectors.duty_completion(Enterprise.objects.visible_to(user), today))
        return kwargs


VIEWS = {}
for _key, _s in SPECS.items():
    VIEWS[_key] = type(f"{_s.model.__name__}ListView", (LedgerListView,), {
        "spec": _s, "model": _s.model, "filterset_class": FILTERS[_key],
        "export_filename": f"{_s.title}.xlsx", "export_columns": importer.export_columns(_s),
        "sort_fields": {n: n for n in _s.list_fields}, "default_sort": "",
    }).as_view()


@download("xlsx", queries=({"export": "xlsx"},), key=tuple(SPECS))
def ledger_list(request: HttpRequest, key: str) -> HttpResponse:
    _spec(key)
    return VIEWS[key](request)


@business_required
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    counts = [{"spec": s, "count": s.model.objects.visible_to(user).count()} for s in ordered_specs()]
    equipment = SpecialEquipment.objects.visible_to(user)
    return render(request, "ledgers/index.html", {
        "counts": counts, "due_counts": lapsing.due_counts(user, today=today),
        "rates": selectors.equipment_rates(equipment, today),
        "rates_by_place": selectors.equipment_rates(equipment, today, by="enterprise__jurisdiction__name"),
        "zero_out": selectors.certificate_zero_out(WorkerCertificate.objects.visible_to(user), today),
    })


def _enterprise_for_new(request: HttpRequest) -> Enterprise:
    raw = request.GET.get("enterprise") or request.POST.get("enterprise")
    user = request.user
    ent_id = parse_id(raw) if raw else (user.enterprise_id if user.has_role(Role.ENTERPRISE) else None)
    if ent_id is None:
        raise Http404
    return get_visible_or_404(Enterprise.objects.all(), user, pk=ent_id)


@business_required
def row_create(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key)
    enterprise = _enterprise_for_new(request)
    if not can_edit_records(request.user, enterprise):
        raise PermissionDenied
    form = form_class(spec)(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.row_create(actor=request.user, model=spec.model, enterprise=enterprise,
                                      **form.cleaned_data)
            messages.success(request, _("已登记：%(r)s") % {"r": row})
            return redirect("ledgers:detail", key=key, pk=row.pk)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    return render(request, "ledgers/row_form.html", {"form": form, "spec": spec, "enterprise": enterprise})


@business_required
def row_detail(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    spec = _spec(key)
    row = get_visible_or_404(spec.model.objects.select_related("enterprise"), request.user, pk=pk)
    can_edit = can_edit_records(request.user, row.enterprise)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                attach(actor=request.user, owner=row, file=upload.cleaned_data["file"], role="evidence")
                messages.success(request, _("已上传附件。"))
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        return redirect("ledgers:detail", key=key, pk=pk)
    fields = [(spec.model._meta.get_field(n).verbose_name, display(row, n, spec)) for n in spec.form_fields]
    context: dict[str, Any] = {"spec": spec, "row": row, "fields": fields, "can_edit": can_edit,
                               "attachments": attachments_for(row), "upload_form": UploadForm(),
                               "history": ChangeEvent.objects.for_object(row)[:100]}
    if isinstance(row, WorkPermit):
        context.update(permit_actions=workflow.TRANSITIONS.allowed(request.user, row),
                       events=row.events.select_related("actor"), action_form=PermitActionForm(),
                       overdue=row.is_open and row.ends_at < timezone.now())
    return render(request, "ledgers/row_detail.html", context)


@business_required
def row_edit(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    spec = _spec(key)
    row = get_visible_or_404(spec.model.objects.select_related("enterprise"), request.user, pk=pk)
    if not can_edit_records(request.user, row.enterprise):
        raise PermissionDenied
    form = form_class(spec)(request.POST or None, instance=row, enterprise=row.enterprise)
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                services.row_delete(actor=request.user, row=row)
                messages.success(request, _("已删除。"))
                return redirect(f"/ledgers/{key}/?enterprise={row.enterprise_id}")
            if form.is_valid():
                services.row_update(actor=request.user, row=row, **form.cleaned_data)
                messages.success(request, _("已保存。"))
                return redirect("ledgers:detail", key=key, pk=row.pk)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    return render(request, "ledgers/row_form.html", {"form": form, "spec": spec, "enterprise": row.enterprise,
                                                     "row": row})


@require_POST
@business_required
def permit_transition(request: HttpRequest, pk: int) -> HttpResponse:
    permit = get_visible_or_404(WorkPermit.objects.select_related("enterprise"), request.user, pk=pk)
    # Indexes of the permit's measures (0, 1, …), not ids.
    confirmed = [n for n in (parse_int(x, minimum=0, maximum=10_000) for x in request.POST.getlist("measure"))
                 if n is not None]
    try:
        services.permit_transition(permit=permit, to=request.POST.get("to", ""), actor=request.user,
                                   note=request.POST.get("note", ""), confirmed=confirmed)
        messages.success(request, _("已处理。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("ledgers:detail", key="permits", pk=pk)


@download("xlsx", user_text=False, key=lambda: [k for k, s in SPECS.items() if s.importable])
@business_required
def import_template(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key)
    if not spec.importable:
        raise Http404
    return file_response(importer.template(spec), f"{spec.title}导入模板.xlsx")


@business_required
def import_rows(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key)
    if not spec.importable:
        raise Http404
    return upload_page(request, kind=importer.IMPORTER.key, form=ImportForm(request.POST or None, request.FILES or None),
                       template="ledgers/import.html", params=lambda _data: {"spec": key}, context={"spec": spec})


@download("xlsx", queries=({"export": "xlsx"},))
@business_required
def expiring(request: HttpRequest) -> HttpResponse:
    """即将到期 / 已过期: every lapsing date in the user's scope, one list."""
    today = timezone.localdate()
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    path = ""
    place = parse_id(request.GET.get("jurisdiction"))
    if place is not None:
        from orgs.models import Jurisdiction

        j = Jurisdiction.objects.filter(pk=place).first()
        path = j.path if j else ""
    items = lapsing.due_items(request.user, today=today, kinds=[kind] if kind else None,
                                status=status if status in ("overdue", "soon") else "", jurisdiction_path=path)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("即将到期和已过期事项.xlsx", "到期事项", [
            ("类别", lambda i: str(i.kind.label)), ("事项", lambda i: i.title),
            ("企业", lambda i: i.enterprise.name if i.enterprise else i.row.jurisdiction.name),
            ("到期日", lambda i: i.due), ("状态", lambda i: i.status_label)], items)
    return render(request, "ledgers/expiring.html", {
        "items": items, "kinds": lapsing.KINDS, "status": status, "kind": kind, "today": today,
        "counts": lapsing.due_counts(request.user, today=today)})


@business_required
def zero_out(request: HttpRequest) -> HttpResponse:
    """动态清零: persons without a valid special-operation certificate, per enterprise."""
    today = timezone.localdate()
    certs = WorkerCertificate.objects.visible_to(request.user)
    summary = selectors.certificate_zero_out(certs, today)
    pairs = list(summary["without_rows"][:500])
    ids = {p["id_number"] for p in pairs}
    people = {}
    for c in certs.filter(id_number__in=ids).select_related("enterprise").order_by("-expires_on"):
        people.setdefault((c.enterprise_id, c.id_number), c)
    rows = [people[(p["enterprise_id"], p["id_number"])] for p in pairs if (p["enterprise_id"], p["id_number"]) in people]
    return render(request, "ledgers/zero_out.html", {"summary": summary, "rows": rows, "today": today})


def commitment_public(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """安全承诺公开页: anyone may read a commitment its enterprise made public (no login)."""
    commitment = get_object_or_404(SafetyCommitment.objects.select_related("enterprise"), enterprise_id=pk,
                                   year=year, public=True)
    return render(request, "ledgers/commitment_public.html", {"c": commitment})
