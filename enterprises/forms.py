from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.pickers import MultiPicker, Picker, ask_when_long
from core.scoping import scope_for
from enterprises.choices import RISK_FLAG_FIELDS
from enterprises.credit_code import normalise
from enterprises.models import Enterprise, Licence
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit


class CreditCodeField(forms.CharField):
    """Shape only: the code is normalised (full-width, lower case, invisible spaces) before its
    length is checked, so a pasted code is not refused for characters nobody can see."""

    def to_python(self, value: Any) -> str:
        return normalise(super().to_python(value))


class EnterpriseForm(forms.ModelForm):
    domains = forms.ModelMultipleChoiceField(queryset=Domain.objects.all(), required=False,
                                             widget=forms.CheckboxSelectMultiple, label=_("行业领域"))

    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "jurisdiction", "domains", "departments", "unit", "industry_code", "address",
                  "legal_representative", "principal", "principal_user", "safety_manager", "safety_manager_user",
                  "phone", "employees", "above_scale", "longitude", "latitude", *RISK_FLAG_FIELDS]
        widgets = {"departments": MultiPicker(), "jurisdiction": Picker(), "unit": Picker()}
        field_classes = {"credit_code": CreditCodeField}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices limited to the user's own scope (house style 9).
        scope = scope_for(user)
        paths = list(scope.territories) + [g.path for g in scope.domain_grants]
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(path__startswith=p)
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.filter(q)
        if scope.domain_grants and not scope.territories:
            ids = {d for g in scope.domain_grants for d in g.domain_ids}
            self.fields["domains"].queryset = Domain.objects.filter(pk__in=ids)
        self.fields["departments"].queryset = Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True)
        self.fields["departments"].required = False
        # The unit a plan names this enterprise as (企业 kind), not yet linked to another enterprise.
        self.fields["unit"].queryset = Unit.objects.filter(
            Q(enterprise__isnull=True) | Q(enterprise=self.instance.pk or 0), kind=UnitKind.ENTERPRISE,
            collective=False, active=True)
        self.fields["unit"].help_text = _("方案把本企业列为责任单位时选择：企业账号据此看到分配给该单位的任务和清单")
        # A province's territories and units are asked for as one types (core.pickers).
        ask_when_long(self.fields["jurisdiction"], "territory")
        ask_when_long(self.fields["unit"], "free_enterprise_units")
        self.fields["industry_code"].help_text = _("GB/T 4754，如 3110（炼铁）或门类字母 C")
        users = User.objects.filter(enterprise_id=self.instance.pk) if self.instance.pk else User.objects.none()
        for key in ("principal_user", "safety_manager_user"):
            self.fields[key].queryset = users
            self.fields[key].help_text = _("审批危险作业票证的本企业账号")
        if self.instance.pk:
            self.fields["domains"].initial = list(self.instance.domains.all())
        # Room for pasted spaces: the browser must not cut a code before it is normalised.
        self.fields["credit_code"].widget.attrs.update({"maxlength": 40, "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        # Rules live in the service; the form only checks shape. Skip ModelForm's model validation.
        return self.cleaned_data

    def _post_clean(self) -> None:
        pass


class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["kind", "name", "number", "issuer", "scope_text", "valid_from", "valid_until"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def _post_clean(self) -> None:
        pass


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
