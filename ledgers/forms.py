from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ledgers.models import EmergencyPlan
from ledgers.specs import LedgerSpec


class LedgerRowForm(forms.ModelForm):
    """Shape only; the rules live in ledgers.services."""

    def __init__(self, *args: Any, enterprise: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            model_field = self._meta.model._meta.get_field(name)
            if isinstance(model_field, models.DateTimeField):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"},
                                                   format="%Y-%m-%dT%H:%M")
                field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            elif isinstance(model_field, models.DateField):
                field.widget = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")
                if isinstance(field.widget, forms.Textarea):
                    field.widget.attrs.setdefault("rows", 3)
        if "plan" in self.fields:
            self.fields["plan"].queryset = EmergencyPlan.objects.filter(enterprise=enterprise)

    def _post_clean(self) -> None:
        pass


def form_class(spec: LedgerSpec) -> type[LedgerRowForm]:
    return forms.modelform_factory(spec.model, form=LedgerRowForm, fields=list(spec.form_fields))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件"))


class PermitActionForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2,
                                                                                       "class": "form-control"}))
