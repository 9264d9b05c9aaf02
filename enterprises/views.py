from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.export import download, file_response
from core.forms import add_service_error
from core.imports.views import upload_page
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from enterprises import importer, services
from enterprises.choices import RISK_FLAGS
from enterprises.filters import EnterpriseFilter
from enterprises.forms import EnterpriseForm, ImportForm, LicenceForm
from enterprises.models import Enterprise, Licence
from enterprises.selectors import total_for


class EnterpriseListView(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilter
    template_name = "enterprises/enterprise_list.html"
    sort_fields = {"name": "name", "code": "credit_code", "jurisdiction": "jurisdiction_path", "updated": "updated_at"}
    default_sort = "name"
    scope_total = staticmethod(total_for)
    export_filename = "企业名录.xlsx"
    # The export uses the import template's columns, so an exported list can be edited and imported back.
    export_columns = [
        (_("企业名称"), lambda e: e.name),
        (_("统一社会信用代码"), lambda e: e.credit_code),
        (_("所属乡镇（街道、园区）"), lambda e: e.jurisdiction.name),
        (_("行业领域"), lambda e: "、".join(d.short_name for d in e.domains.all())),
        (_("监管部门"), lambda e: "、".join(u.name for u in e.departments.all())),
        (_("国民经济行业代码"), lambda e: e.industry_code),
        (_("详细地址"), lambda e: e.address),
        (_("法定代表人"), lambda e: e.legal_representative),
        (_("主要负责人"), lambda e: e.principal),
        (_("安全管理人员"), lambda e: e.safety_manager),
        (_("联系电话"), lambda e: e.phone),
        (_("从业人员数"), lambda e: e.employees),
        (_("规模以上"), lambda e: e.above_scale),
        (_("经度"), lambda e: float(e.longitude) if e.longitude is not None else None),
        (_("纬度"), lambda e: float(e.latitude) if e.latitude is not None else None),
        *[(str(label), (lambda e, n=name: getattr(e, n))) for name, label in RISK_FLAGS],
    ]

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("jurisdiction").prefetch_related("domains", "departments")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        kwargs["can_create"] = self.request.user.has_role(*services.GOVERNMENT_EDITORS)
        kwargs["flags"] = RISK_FLAGS
        kwargs["selected_flags"] = self.request.GET.getlist("flag")
        return kwargs


@business_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise whole: registry data, flags, licences, every ledger, what is expiring, history."""
    from hazards.models import Hazard
    from hazards.selectors import figures as hazard_figures
    from ledgers.selectors import enterprise_overview
    from risk.selectors import enterprise_class

    enterprise = get_visible_or_404(Enterprise.objects.select_related("jurisdiction"), request.user, pk=pk)
    history = ChangeEvent.objects.for_object(enterprise).select_related(None)[:100]
    today = timezone.localdate()
    licences = list(Licence.objects.visible_to(request.user).filter(enterprise=enterprise))
    for lic in licences:
        lic.days_left = (lic.valid_until - today).days if lic.valid_until else None
    return render(request, "enterprises/enterprise_detail.html", {
        "enterprise": enterprise, "history": history, "domains": enterprise.domains.all(),
        "departments": enterprise.departments.all(), "licences": licences, "today": today,
        "can_edit": request.user.has_role(*services.GOVERNMENT_EDITORS)
        or (request.user.has_role(Role.ENTERPRISE) and request.user.enterprise_id == enterprise.pk),
        "can_keep": services.can_edit_records(request.user, enterprise),
        "risk_class": enterprise_class(enterprise, viewer=request.user),
        "hazard_figures": hazard_figures(Hazard.objects.visible_to(request.user).filter(enterprise=enterprise), today),
        **enterprise_overview(user=request.user, enterprise=enterprise, today=today),
    })


def _save(request: HttpRequest, form: EnterpriseForm, enterprise: Enterprise | None) -> Enterprise | None:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    domains = data.pop("domains", [])
    departments = data.pop("departments", [])
    unit = data.pop("unit", None)
    try:
        if enterprise is None:
            return services.enterprise_create(actor=request.user, domains=domains, departments=departments,
                                              unit=unit, **data)
        if not request.user.has_role(*services.GOVERNMENT_EDITORS):
            data = {k: v for k, v in data.items() if k in services.SELF_EDITABLE}
            domains = departments = None
            unit = services.UNCHANGED
        return services.enterprise_update(actor=request.user, enterprise=enterprise, domains=domains,
                                          departments=departments, unit=unit, **data)
    except (ValidationError, PermissionDenied) as exc:
        add_service_error(form, exc)
    return None


@roles_required(*services.GOVERNMENT_EDITORS)
def enterprise_create(request: HttpRequest) -> HttpResponse:
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST":
        enterprise = _save(request, form, None)
        if enterprise is not None:
            messages.success(request, _("已登记企业：%(n)s") % {"n": enterprise.name})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "creating": True})


@business_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    is_gov = request.user.has_role(*services.GOVERNMENT_EDITORS)
    if not is_gov and not (request.user.has_role(Role.ENTERPRISE) and request.user.enterprise_id == enterprise.pk):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if not is_gov:
        for name in form.fields:
            if name not in services.SELF_EDITABLE:
                form.fields[name].disabled = True
    if request.method == "POST":
        saved = _save(request, form, enterprise)
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("enterprises:detail", pk=saved.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise})


@business_required
def licence_edit(request: HttpRequest, pk: int, licence_pk: int | None = None) -> HttpResponse:
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    licence = None
    if licence_pk is not None:
        licence = get_visible_or_404(Licence.objects.filter(enterprise=enterprise), request.user, pk=licence_pk)
    if not services.can_edit_records(request.user, enterprise):
        raise PermissionDenied
    form = LicenceForm(request.POST or None, instance=licence)
    if request.method == "POST":
        if request.POST.get("delete") and licence is not None:
            services.licence_delete(actor=request.user, licence=licence)
            messages.success(request, _("已删除许可证。"))
            return redirect("enterprises:detail", pk=enterprise.pk)
        if form.is_valid():
            try:
                if licence is None:
                    services.licence_create(actor=request.user, enterprise=enterprise, **form.cleaned_data)
                else:
                    services.licence_update(actor=request.user, licence=licence, **form.cleaned_data)
                messages.success(request, _("已保存许可证。"))
                return redirect("enterprises:detail", pk=enterprise.pk)
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
    return render(request, "enterprises/licence_form.html", {"form": form, "enterprise": enterprise,
                                                             "licence": licence})


@download("xlsx", user_text=False)
@roles_required(*services.GOVERNMENT_EDITORS)
def import_template(request: HttpRequest) -> HttpResponse:
    return file_response(importer.template(), "企业名录导入模板.xlsx")


@roles_required(*services.GOVERNMENT_EDITORS)
def enterprise_import(request: HttpRequest) -> HttpResponse:
    """All or nothing: the whole file is checked first; any bad row and nothing is written. A file with columns
    the list does not know is previewed first; a large one runs in the background (core.imports)."""
    return upload_page(request, kind=importer.IMPORTER.key, form=ImportForm(request.POST or None, request.FILES or None),
                       template="enterprises/enterprise_import.html")
