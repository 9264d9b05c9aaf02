from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, MultipleFileInput
from core.pickers import MultiPicker, Picker
from enforcement.models import Inspector
from enterprises.models import Enterprise
from hazards.choices import Category, Grade
from orgs.choices import TERRITORIAL_UNIT_KINDS, UnitKind
from orgs.models import Domain, Jurisdiction, Unit
from tips.choices import RewardGrade, TipKind
from tips.services import PLACE_LEVELS


def places() -> Any:
    return Jurisdiction.objects.filter(level__in=PLACE_LEVELS).order_by("sort", "path")


class TipForm(forms.Form):
    kind = forms.ChoiceField(choices=TipKind.choices, label=_("举报类别"), widget=forms.RadioSelect)
    description = forms.CharField(label=_("举报内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("请写明发现的事故隐患或违法行为、时间、涉及的单位或场所。"))
    jurisdiction = forms.ModelChoiceField(queryset=Jurisdiction.objects.none(), label=_("所在乡镇（街道、园区）"),
                                          empty_label=_("请选择"), widget=Picker())
    subject = forms.CharField(label=_("被举报单位或场所"), max_length=200, required=False)
    address = forms.CharField(label=_("具体地址"), max_length=200)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False,
                                   widget=forms.HiddenInput)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False,
                                  widget=forms.HiddenInput)
    photos = MultipleFileField(label=_("照片（可选，最多3张）"), required=False,
                        widget=MultipleFileInput(attrs={"accept": "image/*"}))
    name = forms.CharField(label=_("姓名（可不填）"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话（可不填）"), max_length=20, required=False)
    answer = forms.CharField(label=_("验证"), max_length=4)
    token = forms.CharField(widget=forms.HiddenInput, max_length=400)
    enterprise = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = places()
        for name, field in self.fields.items():
            if name not in ("kind", "photos") and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["jurisdiction"].widget.attrs["class"] = "form-select"
        self.fields["answer"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["photos"].widget.attrs["class"] = "form-control"


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=40,
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                         "autocapitalize": "characters"}))


def handler_units() -> Any:
    return (Unit.objects.filter(active=True, collective=False,
                                kind__in=[UnitKind.DEPARTMENT, UnitKind.OFFICE, *TERRITORIAL_UNIT_KINDS])
            .order_by("kind", "sort", "name"))


class AssignForm(forms.Form):
    assigned_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("承办单位"), widget=Picker())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_unit"].queryset = handler_units()


class ForwardForm(forms.Form):
    forwarded_to = forms.CharField(label=_("接收移送的机关"), max_length=200)


class NoteForm(forms.Form):
    pass


class VerifyForm(forms.Form):
    verification = forms.CharField(label=_("现场核查记录"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    confirmed = forms.TypedChoiceField(label=_("核查结论"), choices=[("yes", _("举报属实")), ("no", _("举报不属实"))],
                                       coerce=lambda v: v == "yes")
    photos = MultipleFileField(label=_("核查照片"), required=False, widget=MultipleFileInput(attrs={"accept": "image/*"}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复内容（举报人可见）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(forms.Form):
    payout_ref = forms.CharField(label=_("发放凭证号"), max_length=120)


MOVE_FORMS: dict[str, type[forms.Form]] = {
    "assign": AssignForm, "forward": ForwardForm, "dismiss": NoteForm, "verify": VerifyForm, "reply": ReplyForm,
    "propose": NoteForm, "close": NoteForm, "approve": NoteForm, "decline": NoteForm, "pay": PayForm,
}


class HazardForm(forms.Form):
    domain = forms.ModelChoiceField(queryset=Domain.objects.all(), label=_("行业领域"))
    grade = forms.ChoiceField(choices=[("", _("暂不定级")), *Grade.choices], required=False, label=_("隐患等级"))
    category = forms.ChoiceField(choices=Category.choices, label=_("隐患类别"))
    deadline = forms.DateField(required=False, label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))
    report_cause = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                   label=_("隐患现状及其产生原因（重大隐患必填）"))
    report_analysis = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                      label=_("危害程度和整改难易程度分析（重大隐患必填）"))


class InspectionForm(forms.Form):
    """据举报开展执法检查: the department's own inspectors; the target is the tip's enterprise, or one named here in
    the tip's township, or the reported place recorded as a premises of one of the department's domains."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), required=False, label=_("被检查企业"),
                                        empty_label=_("（不是登记企业：将举报地点登记为检查场所）"), widget=Picker())
    domain = forms.ModelChoiceField(queryset=Domain.objects.none(), required=False, label=_("检查场所的行业领域"))
    inspectors = forms.ModelMultipleChoiceField(queryset=Inspector.objects.none(), label=_("检查人员（至少两人）"),
                                                widget=MultiPicker())
    planned_date = forms.DateField(required=False, label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"}))
    unannounced = forms.BooleanField(required=False, label=_("四不两直"))

    def __init__(self, *args: Any, user: Any, tip: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tip.enterprise_id:
            del self.fields["enterprise"], self.fields["domain"]
        else:
            self.fields["enterprise"].queryset = (Enterprise.objects.visible_to(user, grants=False)
                                                  .filter(jurisdiction_path__startswith=tip.jurisdiction_path)
                                                  .order_by("name"))
            self.fields["domain"].queryset = user.unit.domains.order_by("code")
        self.fields["inspectors"].queryset = Inspector.objects.filter(department_id=user.unit_id, active=True)


class CaseForm(forms.Form):
    cause = forms.CharField(max_length=300, label=_("案由"))


class BandForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", _("不限")), *TipKind.choices], required=False, label=_("举报类别"))
    grade = forms.ChoiceField(choices=RewardGrade.choices, required=False, label=_("隐患等级"))
    amount = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, label=_("奖励金额（元）"))
    basis = forms.CharField(max_length=200, required=False, label=_("依据"))


class ExposureForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("标题"))
    summary = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), label=_("案情与处理（请隐去个人信息）"))
    grounds = forms.CharField(max_length=300, required=False, label=_("依据"))
    enterprise_name = forms.CharField(max_length=200, required=False, label=_("单位"))
    expires_on = forms.DateField(required=False, label=_("撤下日期（默认一年）"),
                                 widget=forms.DateInput(attrs={"type": "date"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("撤下理由"))
