from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.listing import ScopedListView
from core.models import ChangeEvent
from core.permissions import business_required, roles_required
from core.scoping import get_visible_or_404
from enterprises import services
from enterprises.filters import EnterpriseFilter
from enterprises.forms import EnterpriseForm
from enterprises.models import Enterprise


class EnterpriseListView(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilter
    template_name = "enterprises/enterprise_list.html"
    sort_fields = {"name": "name", "code": "credit_code", "jurisdiction": "jurisdiction_path", "updated": "updated_at"}
    default_sort = "name"
    export_filename = "企业名录.xlsx"
    export_columns = [
        (_("企业名称"), lambda e: e.name),
        (_("统一社会信用代码"), lambda e: e.credit_code),
        (_("属地"), lambda e: e.jurisdiction.name),
        (_("行业领域"), lambda e: "、".join(d.short_name for d in e.domains.all())),
        (_("地址"), lambda e: e.address),
        (_("主要负责人"), lambda e: e.principal),
        (_("联系电话"), lambda e: e.phone),
        (_("从业人员数"), lambda e: e.employees),
        (_("规模以上"), lambda e: e.above_scale),
    ]

    def decorate(self, qs: QuerySet) -> QuerySet:
        return qs.select_related("jurisdiction").prefetch_related("domains")

    def get_context(self, **kwargs: Any) -> dict[str, Any]:
        kwargs["can_create"] = self.request.user.has_role(*services.GOVERNMENT_EDITORS)
        return kwargs


@business_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_visible_or_404(Enterprise.objects.select_related("jurisdiction"), request.user, pk=pk)
    history = ChangeEvent.objects.for_object(enterprise).select_related(None)[:100]
    return render(request, "enterprises/enterprise_detail.html", {
        "enterprise": enterprise, "history": history, "domains": enterprise.domains.all(),
        "can_edit": request.user.has_role(*services.GOVERNMENT_EDITORS)
        or (request.user.has_role(Role.ENTERPRISE) and request.user.enterprise_id == enterprise.pk),
    })


def _save(request: HttpRequest, form: EnterpriseForm, enterprise: Enterprise | None) -> Enterprise | None:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    domains = data.pop("domains", [])
    try:
        if enterprise is None:
            return services.enterprise_create(actor=request.user, domains=domains, **data)
        if not request.user.has_role(*services.GOVERNMENT_EDITORS):
            data = {k: v for k, v in data.items() if k in services.SELF_EDITABLE}
            domains = None
        return services.enterprise_update(actor=request.user, enterprise=enterprise, domains=domains, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
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
