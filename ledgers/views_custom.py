"""Pages of the user-defined ledgers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.export import download, file_response, xlsx_response
from core.filters import parse_id
from core.formats import cn_date
from core.forms import add_service_error
from core.imports.views import upload_page
from core.permissions import business_required, roles_required
from core.pickers import MultiPicker
from core.scoping import get_visible_or_404
from core.spreadsheet import template_bytes
from core.uploads import attach
from enterprises.credit_code import normalise
from enterprises.forms import ImportForm
from enterprises.models import Enterprise
from ledgers import custom, custom_import
from ledgers.custom_import import columns, own_jurisdictions
from ledgers.models import CustomRow, LedgerDefinition
from ledgers.models.custom import Target
from orgs.models import Domain, Jurisdiction


class DefinitionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("台账名称"), max_length=120)
    description = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.ChoiceField(label=gettext_lazy("填报对象"), choices=Target.choices)
    domain = forms.ModelChoiceField(label=gettext_lazy("行业领域"), queryset=Domain.objects.all(), required=False)
    columns = forms.CharField(label=gettext_lazy("栏目"), widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=gettext_lazy("每行一个栏目：名称|类型|必填|到期|选项。类型：文本、数字、日期、选项、"
                                                     "是否、文件。例：检测日期|日期|必填|到期；结论|选项|必填|合格,不合格"))
    enterprise_codes = forms.CharField(label=gettext_lazy("填报企业（统一社会信用代码，每行一个）"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    jurisdictions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("填报属地（企业填报时：属地内全部企业；属地单位填报时：该乡镇、街道或园区）"),
        queryset=Jurisdiction.objects.filter(level__in=("township", "subdistrict", "park")), required=False,
        widget=MultiPicker())
    remind_days = forms.IntegerField(label=gettext_lazy("提前提醒天数"), min_value=0, max_value=365, initial=30)
    active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


@business_required
def definition_list(request: HttpRequest) -> HttpResponse:
    definitions = LedgerDefinition.objects.visible_to(request.user)
    return render(request, "ledgers/custom_list.html", {
        "definitions": definitions.select_related("owner_unit").distinct(),
        "can_define": request.user.has_role(*custom.DEFINERS)})


@roles_required(*custom.DEFINERS)
def definition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    definition = get_visible_or_404(LedgerDefinition.objects, request.user, pk=pk) if pk else None
    if definition is not None and not request.user.has_role(Role.OFFICE) and definition.created_by_id != request.user.pk:
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if definition is not None:
        initial = {"name": definition.name, "description": definition.description, "target": definition.target,
                   "domain": definition.domain, "columns": custom.columns_text(definition.columns),
                   "enterprise_codes": "\n".join(definition.enterprises.values_list("credit_code", flat=True)),
                   "jurisdictions": list(definition.jurisdictions.all()), "remind_days": definition.remind_days,
                   "active": definition.active}
    form = DefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            columns = custom.parse_columns(data["columns"])
            codes = [code for code in (normalise(c) for c in data["enterprise_codes"].split()) if code]
            ents = list(Enterprise.objects.visible_to(request.user).filter(credit_code__in=codes))
            missing = set(codes) - {e.credit_code for e in ents}
            if missing:
                raise ValidationError({"enterprise_codes": _("不在您管辖范围内或未登记：%(c)s") % {
                    "c": "、".join(sorted(missing))}})
            definition = custom.definition_save(
                actor=request.user, definition=definition, enterprises=ents,
                jurisdictions=list(data["jurisdictions"]), name=data["name"], description=data["description"],
                target=data["target"], domain=data["domain"], columns=columns, remind_days=data["remind_days"],
                active=data["active"])
            messages.success(request, _("已保存台账定义。"))
            return redirect("ledgers:custom_rows", pk=definition.pk)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    return render(request, "ledgers/custom_define.html", {"form": form, "definition": definition})


def _row_form(definition: LedgerDefinition, data: Any = None, files: Any = None,
              initial: dict[str, Any] | None = None) -> forms.Form:
    form = forms.Form(data, files, initial=initial)
    for col in definition.columns:
        req = bool(col.get("required"))
        t = col["type"]
        if t == "number":
            field: forms.Field = forms.DecimalField(required=req)
        elif t == "date":
            field = forms.DateField(required=req, widget=forms.DateInput(attrs={"type": "date"}))
        elif t == "choice":
            field = forms.ChoiceField(required=req, choices=[("", "—")] + [(c, c) for c in col.get("choices", [])])
        elif t == "bool":
            field = forms.NullBooleanField(required=False, widget=forms.Select(
                choices=[("unknown", "—"), ("true", _("是")), ("false", _("否"))]))
        elif t == "file":
            field = forms.FileField(required=False)
        else:
            field = forms.CharField(required=req, max_length=2000)
        field.label = col["label"] + (" （到期日）" if col.get("due") else "")
        field.widget.attrs.setdefault("class", "form-select" if t in ("choice", "bool") else "form-control")
        form.fields[col["key"]] = field
    return form


def _targets(user: Any, definition: LedgerDefinition) -> tuple[list[Enterprise], list[Jurisdiction]]:
    if definition.target == Target.ENTERPRISE:
        ents = Enterprise.objects.visible_to(user)
        attached = ents.filter(pk__in=definition.enterprises.values("pk"))
        for j in definition.jurisdictions.all():
            attached = attached | ents.filter(jurisdiction_path__startswith=j.path)
        return list(attached.distinct()[:500]), []
    return [], own_jurisdictions(user, definition)


def _shown(column: dict[str, Any], value: Any) -> Any:
    """A stored value as people write it: dates are stored ISO (2026-12-08) and shown 2026年12月8日."""
    if column.get("type") == "date" and isinstance(value, str):
        try:
            return cn_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


@download("xlsx", queries=({"export": "xlsx"},), pk=LedgerDefinition)
@business_required
def row_list(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_visible_or_404(LedgerDefinition.objects, request.user, pk=pk)
    rows = CustomRow.objects.visible_to(request.user).filter(definition=definition).select_related(
        "enterprise", "jurisdiction").order_by("due_date", "-created_at")
    if request.GET.get("export") == "xlsx":
        cols = [("企业或属地", lambda r: r.enterprise.name if r.enterprise else r.jurisdiction.name)]
        cols += [(c["label"], (lambda r, k=c["key"]: r.values.get(k))) for c in definition.columns]
        return xlsx_response(f"{definition.name}.xlsx", definition.name, cols, rows[:200_000])
    ents, js = _targets(request.user, definition)
    table = [(r, [_shown(c, r.values.get(c["key"])) for c in definition.columns]) for r in rows[:500]]
    return render(request, "ledgers/custom_rows.html", {
        "definition": definition, "table": table, "count": rows.count(), "enterprises": ents, "jurisdictions": js,
        "can_edit_def": request.user.has_role(Role.OFFICE) or definition.created_by_id == request.user.pk})


@business_required
def row_edit(request: HttpRequest, pk: int, row_pk: int | None = None) -> HttpResponse:
    definition = get_visible_or_404(LedgerDefinition.objects, request.user, pk=pk)
    row = None
    enterprise = jurisdiction = None
    if row_pk is not None:
        row = get_visible_or_404(CustomRow.objects.filter(definition=definition).select_related("enterprise"),
                                 request.user, pk=row_pk)
    else:
        ent_id, j_id = parse_id(request.GET.get("enterprise")), parse_id(request.GET.get("jurisdiction"))
        if ent_id is not None:
            enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=ent_id)
        elif j_id is not None:
            jurisdiction = get_object_or_404(Jurisdiction, pk=j_id)
        elif request.user.enterprise_id and request.user.has_role(Role.ENTERPRISE):
            enterprise = request.user.enterprise
        else:
            raise Http404
    initial = dict(row.values) if row else None
    form = _row_form(definition, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = {k: v for k, v in data.items() if hasattr(v, "read")}
        for k in files:
            data[k] = None
        try:
            with transaction.atomic():
                saved = custom.custom_row_save(actor=request.user, definition=definition, row=row,
                                               enterprise=enterprise, jurisdiction=jurisdiction, values=data)
                if files:
                    values = dict(saved.values)
                    for key, upload in files.items():
                        values[key] = attach(actor=request.user, owner=saved, file=upload, role=key).pk
                    saved = custom.custom_row_save(actor=request.user, definition=definition, row=saved,
                                                   values=values)
            messages.success(request, _("已保存。"))
            return redirect("ledgers:custom_rows", pk=definition.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                labels = {c["label"]: c["key"] for c in definition.columns}
                for field, errors in exc.message_dict.items():
                    form.add_error(labels.get(field), errors)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "ledgers/custom_row_form.html", {"form": form, "definition": definition, "row": row,
                                                            "target": enterprise or jurisdiction})


@download("xlsx", pk=LedgerDefinition)
@business_required
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_visible_or_404(LedgerDefinition.objects, request.user, pk=pk)
    data = template_bytes(definition.name, columns(definition),
                          f"{definition.name}：带*的列必填；日期如 2026-05-31；任何一行有错，整个文件都不导入。")
    return file_response(data, definition.name + "模板.xlsx")


@business_required
def import_rows(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_visible_or_404(LedgerDefinition.objects, request.user, pk=pk)
    return upload_page(request, kind=custom_import.IMPORTER.key,
                       form=ImportForm(request.POST or None, request.FILES or None), template="ledgers/import.html",
                       params=lambda _data: {"definition": definition.pk}, context={"definition": definition})
