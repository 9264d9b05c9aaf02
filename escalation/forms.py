from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import Styled
from core.pickers import Picker
from core.scoping import scope_for
from escalation.choices import Action
from escalation.models import EscalationLadder, EscalationStep
from orgs.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DecideForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EscalateForm(forms.Form):
    action = forms.ChoiceField(label=_("督办措施"), choices=Action.choices)
    note = forms.CharField(label=_("督办理由"), widget=forms.Textarea(attrs={"rows": 3}))


class LadderForm(forms.ModelForm):
    class Meta:
        model = EscalationLadder
        fields = ["code", "name", "applies_to", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from escalation.registry import SOURCES

        super().__init__(*args, **kwargs)
        self.fields["applies_to"] = forms.ChoiceField(
            label=_("适用对象"), required=False,
            choices=[("", _("由各类事项自行指定"))] + [(k, s.label) for k, s in SOURCES.items()],
            help_text=_("选择某类事项时，此阶梯取代该类事项的默认阶梯"))
        if self.instance.pk:
            self.fields["code"].disabled = True
        for name, f in self.fields.items():
            if name != "active":
                f.widget.attrs.setdefault("class", "form-select" if name == "applies_to" else "form-control")


class StepForm(Styled, forms.ModelForm):
    class Meta:
        model = EscalationStep
        fields = ["order", "action", "after_workdays", "notify_responsible", "notify_supervisors", "notify_office",
                  "needs_decision"]
        # Widths by class: the Content-Security-Policy refuses inline style attributes.
        widgets = {"order": forms.NumberInput(attrs={"class": "form-control form-control-sm w-5em"}),
                   "after_workdays": forms.NumberInput(attrs={"class": "form-control form-control-sm w-6em"}),
                   "action": forms.Select(attrs={"class": "form-select form-select-sm"})}


StepFormSet = forms.inlineformset_factory(EscalationLadder, EscalationStep, form=StepForm, extra=1, can_delete=True)


class ItemForm(forms.Form):
    title = forms.CharField(label=_("督办事项"), max_length=200)
    assignee = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), widget=Picker())
    deadline = forms.DateField(label=_("办结期限"), widget=DATE)
    description = forms.CharField(label=_("具体要求"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        q = Q(pk__in=[])
        for path in scope.territories:
            q |= Q(jurisdiction_path__startswith=path)
        self.fields["assignee"].queryset = Unit.objects.filter(q, active=True, collective=False)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")
        self.fields["assignee"].widget.attrs["class"] = "form-select"


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=_("新的期限"), widget=DATE)
    note = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
