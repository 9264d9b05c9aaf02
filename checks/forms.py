from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from checks.choices import PERIODIC, CheckerLevel, Frequency, PremisesKind
from checks.models import CheckItem, Checklist, Premises
from core.pickers import Picker, ask_when_long
from orgs.models import Domain, Jurisdiction


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ChecklistForm(StyledForm):
    title = forms.CharField(max_length=200, label=_("检查表名称"))
    version = forms.CharField(max_length=40, label=_("版本"), help_text=_("如 2026、2026-修订"))
    document_number = forms.CharField(max_length=120, required=False, label=_("文号/依据"))
    domains = forms.ModelMultipleChoiceField(queryset=Domain.objects.all(), required=False, label=_("行业领域"),
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    notes = forms.CharField(required=False, label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(StyledForm):
    version = forms.CharField(max_length=40, label=_("新版本号"))


class ItemForm(forms.ModelForm):
    class Meta:
        model = CheckItem
        fields = ["clause", "section", "text", "item_type", "quantity", "unit", "min_value", "max_value", "reference",
                  "photo_required", "major_hazard_criterion", "on_spot_allowed", "note"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class PremisesForm(forms.ModelForm):
    class Meta:
        model = Premises
        fields = ["name", "kind", "address", "jurisdiction", "domain", "operator", "phone"]
        widgets = {"jurisdiction": Picker()}

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions
            ask_when_long(self.fields["jurisdiction"], "territory")  # a province's villages: asked for
        self.fields["kind"].choices = PremisesKind.choices
        _styled(self)


class PlanForm(StyledForm):
    title = forms.CharField(max_length=200, required=False, label=_("计划名称"), help_text=_("留空用检查表名称"))
    checklist = forms.ModelChoiceField(queryset=Checklist.objects.none(), label=_("检查表"))
    frequency = forms.ChoiceField(choices=Frequency.choices, label=_("排查频次"))
    checker_level = forms.ChoiceField(choices=CheckerLevel.choices, label=_("检查层级"))
    responsible = forms.CharField(max_length=60, required=False, label=_("责任人"))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(required=False, label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(required=False, label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("节假日前、复工复产前、一次性专项检查须填写"))

    def __init__(self, *args: Any, checklists: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if checklists is not None:
            self.fields["checklist"].queryset = checklists


class CampaignForm(StyledForm):
    title = forms.CharField(max_length=200, label=_("专项检查名称"))
    checklist = forms.ModelChoiceField(queryset=Checklist.objects.none(), label=_("检查表"))
    domain = forms.ModelChoiceField(queryset=Domain.objects.all(), required=False, label=_("行业领域"))
    jurisdiction = forms.ModelChoiceField(queryset=Jurisdiction.objects.none(), required=False, label=_("属地"),
                                          widget=Picker())
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, checklists: Any = None, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if checklists is not None:
            self.fields["checklist"].queryset = checklists
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions


class FrequencyForm(StyledForm):
    grade = forms.ChoiceField(choices=[("red", _("红")), ("orange", _("橙")), ("yellow", _("黄")), ("blue", _("蓝"))],
                              label=_("风险等级"))
    frequency = forms.ChoiceField(choices=[(f.value, f.label) for f in Frequency if f in PERIODIC],
                                  label=_("排查频次"))
