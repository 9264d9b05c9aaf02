from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from risk.choices import (
    AccidentType,
    ControlLevel,
    EnterpriseClass,
    MeasureKind,
    Method,
    hazard_factor_choices,
)
from risk.models import PreShiftMeeting, RiskPoint
from risk.scoring import LEC_C, LEC_E, LEC_L, LS_L, LS_S


def _score_choices(table: dict) -> list[tuple[str, str]]:
    return [("", "—")] + [(format(k.normalize(), "f"), f"{format(k.normalize(), 'f')} {v}") for k, v in table.items()]


class RiskPointForm(forms.ModelForm):
    hazard_factors = forms.MultipleChoiceField(choices=hazard_factor_choices, required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 8}),
                                               label=_("危险有害因素（GB/T 13861）"))
    accident_types = forms.MultipleChoiceField(choices=AccidentType.choices, required=False,
                                               widget=forms.CheckboxSelectMultiple,
                                               label=_("可能导致的事故类型（GB 6441）"))

    class Meta:
        model = RiskPoint
        fields = ["kind", "name", "location", "department", "team", "description", "hazard_factors",
                  "accident_types", "control_level", "responsible", "review_date", "emergency_actions", "duties",
                  "emergency_phone"]
        widgets = {"review_date": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 2}),
                   "emergency_actions": forms.Textarea(attrs={"rows": 3}),
                   "duties": forms.Textarea(attrs={"rows": 3})}


class AssessForm(forms.Form):
    method = forms.ChoiceField(choices=Method.choices, label=_("评价方法"))
    lec_l = forms.ChoiceField(choices=_score_choices(LEC_L), required=False, label=_("L 事故发生的可能性"))
    lec_e = forms.ChoiceField(choices=_score_choices(LEC_E), required=False, label=_("E 暴露于危险环境的频繁程度"))
    lec_c = forms.ChoiceField(choices=_score_choices(LEC_C), required=False, label=_("C 发生事故产生的后果"))
    ls_l = forms.ChoiceField(choices=_score_choices(LS_L), required=False, label=_("L 可能性"))
    ls_s = forms.ChoiceField(choices=_score_choices(LS_S), required=False, label=_("S 后果严重性"))
    direct_major = forms.BooleanField(required=False, label=_("直接判定为重大风险"),
                                      help_text=_("符合重大事故隐患判定标准、构成重大危险源、违反强制性条款等情形，"
                                                  "无论分值多少均为红色（重大）风险"))
    direct_reason = forms.CharField(required=False, max_length=300, label=_("直接判定依据"))
    reason = forms.CharField(required=False, max_length=300, label=_("评估原因"),
                             help_text=_("如：首次辨识、年度评审、工艺变更、发生事故后重新评估"))

    def inputs(self) -> dict[str, Any]:
        d = self.cleaned_data
        if d["method"] == Method.LEC:
            return {"l": d["lec_l"], "e": d["lec_e"], "c": d["lec_c"]}
        if d["method"] == Method.LS:
            return {"l": d["ls_l"], "s": d["ls_s"]}
        return {}


class MeasureForm(StyledForm):
    kind = forms.ChoiceField(choices=MeasureKind.choices, label=_("措施类别"))
    level = forms.ChoiceField(choices=ControlLevel.choices, label=_("管控层级"))
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("管控措施"))
    responsible = forms.CharField(max_length=60, label=_("责任人"))


class SitePlanForm(forms.Form):
    file = forms.FileField(label=_("厂区平面布置图（图片）"))


class ReportForm(forms.Form):
    note = forms.CharField(required=False, max_length=300, label=_("报告说明"))


class AcknowledgeForm(forms.Form):
    note = forms.CharField(required=False, max_length=300, label=_("签收意见"))


class ClassOverrideForm(forms.Form):
    klass = forms.ChoiceField(choices=[("", _("撤销人工调整（按规则计算）")), *EnterpriseClass.choices], required=False,
                              label=_("监管类别"))
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label=_("调整理由"))


class MeetingForm(forms.ModelForm):
    class Meta:
        model = PreShiftMeeting
        fields = ["date", "team", "host", "attendees", "task", "risks", "measures"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   **{f: forms.Textarea(attrs={"rows": 2}) for f in ("attendees", "task", "risks", "measures")}}


class HazardLinkForm(forms.Form):
    hazard = forms.IntegerField(label=_("隐患"))


class SchemeForm(forms.Form):
    method = forms.ChoiceField(choices=[(Method.LEC, Method.LEC.label), (Method.LS, Method.LS.label)],
                               label=_("评价方法"))
    domain = forms.ModelChoiceField(queryset=None, required=False, label=_("适用行业领域"),
                                    empty_label=_("默认（全部行业领域）"))
    name = forms.CharField(max_length=100, label=_("方案名称"))
    red = forms.DecimalField(max_digits=10, decimal_places=2, label=_("重大风险（红）阈值"))
    orange = forms.DecimalField(max_digits=10, decimal_places=2, label=_("较大风险（橙）阈值"))
    yellow = forms.DecimalField(max_digits=10, decimal_places=2, label=_("一般风险（黄）阈值"))
    inclusive = forms.BooleanField(required=False, label=_("阈值含等于（分值≥阈值即入该级）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from orgs.models import Domain

        self.fields["domain"].queryset = Domain.objects.all()
