from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import scope_for
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction


class EnterpriseForm(forms.ModelForm):
    domains = forms.ModelMultipleChoiceField(queryset=Domain.objects.all(), required=False,
                                             widget=forms.CheckboxSelectMultiple, label=_("行业领域"))

    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "jurisdiction", "domains", "industry_code", "address", "legal_representative",
                  "principal", "phone", "employees", "above_scale", "longitude", "latitude"]

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
        if self.instance.pk:
            self.fields["domains"].initial = list(self.instance.domains.all())
        self.fields["credit_code"].widget.attrs.update({"maxlength": 18, "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        # Rules live in the service; the form only checks shape. Skip ModelForm's model validation.
        return self.cleaned_data

    def _post_clean(self) -> None:
        pass
