from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.forms import MultipleFileField, MultipleFileInput, StyledForm
from core.pickers import MultiPicker, Picker
from enforcement.choices import CoerciveMeasure, FindingResult, InspectionOrigin, ItemCategory, PenaltyType
from enforcement.models import Inspector
from enterprises.models import Enterprise
from hazards.forms import DATE
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit

Bootstrapped = StyledForm


class MatterForm(Bootstrapped):
    name = forms.CharField(label=_("抽查事项"), max_length=200)
    basis = forms.CharField(label=_("检查依据"), widget=forms.Textarea)
    subject = forms.CharField(label=_("检查对象"), max_length=200, initial="生产经营单位")
    content = forms.CharField(label=_("检查内容"), widget=forms.Textarea, required=False)
    method = forms.CharField(label=_("检查方式"), max_length=100, required=False, initial="现场检查、查阅资料")
    category = forms.ChoiceField(label=_("抽查类别"), choices=ItemCategory.choices)
    domain = forms.ModelChoiceField(label=_("行业领域"), queryset=Domain.objects.all(), required=False)
    public = forms.BooleanField(label=_("向社会公开"), required=False, initial=True)


class InspectorForm(Bootstrapped):
    name = forms.CharField(label=_("姓名"), max_length=60)
    user = forms.ModelChoiceField(label=_("关联账号"), queryset=None, required=False)
    cert_number = forms.CharField(label=_("执法证号"), max_length=40)
    cert_valid_until = forms.DateField(label=_("执法证有效期至"), widget=DATE)
    specialties = forms.ModelMultipleChoiceField(label=_("专业领域"), queryset=Domain.objects.all(), required=False)
    home = forms.ModelChoiceField(label=_("户籍/居住乡镇"), queryset=Jurisdiction.objects.filter(depth=1),
                                  required=False, widget=Picker())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["user"].queryset = User.objects.filter(
            unit_id=getattr(user, "unit_id", None), is_active=True, role_grants__role=Role.INSPECTOR,
            inspector_profile__isnull=True).distinct()


class ConflictForm(Bootstrapped):
    enterprise = forms.ModelChoiceField(label=_("回避企业"), queryset=Enterprise.objects.none(), required=False,
                                        widget=Picker(source="enterprises"))
    place = forms.ModelChoiceField(label=_("回避地区"), queryset=Jurisdiction.objects.filter(depth__lte=1),
                                   required=False, widget=Picker())
    note = forms.CharField(label=_("回避事由"), max_length=200)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)


class DrawForm(Bootstrapped):
    title = forms.CharField(label=_("抽查任务"), max_length=200)
    plan_row = forms.IntegerField(label=_("年度计划事项编号"), required=False, min_value=1, max_value=2**62,
                                  widget=forms.HiddenInput)
    stratify = forms.ChoiceField(label=_("分层方式"), choices=[("class", _("按监管类别（A–D）")),
                                                            ("township", _("按乡镇（街道）")), ("all", _("不分层"))])
    strata = forms.CharField(label=_("抽取数量或比例"), max_length=300, initial="a=30%; b=10%; c=2%; d=1%",
                             help_text=_("每层一项：“a=30%”为比例，“全部=12”为数量；不分层时用“全部”。"))
    domain = forms.ModelChoiceField(label=_("定向：行业领域"), queryset=Domain.objects.all(), required=False)
    township = forms.ModelChoiceField(label=_("定向：乡镇（街道）"), queryset=Jurisdiction.objects.filter(depth=1),
                                      required=False, widget=Picker())
    per_target = forms.IntegerField(label=_("每个对象选派人数"), min_value=2, max_value=5, initial=2)
    joint = forms.ModelMultipleChoiceField(label=_("联合抽查部门"), required=False, widget=MultiPicker(),
                                           queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT, active=True))
    recuse_same_township = forms.BooleanField(label=_("本乡镇人员回避"), required=False)
    max_targets_per_inspector = forms.IntegerField(label=_("每人最多检查对象数"), required=False, min_value=1,
                                                   max_value=1000)
    assignment_days = forms.IntegerField(label=_("检查完成期限（天）"), min_value=1, max_value=365, initial=60)
    public_source = forms.CharField(label=_("公开随机源（事先确定、尚未产生）"), max_length=200,
                                    initial="抽取当日上证综合指数收盘点位")
    operator_secret = forms.CharField(label=_("操作人随机输入"), max_length=200, widget=forms.PasswordInput,
                                      help_text=_("至少8个字符，抽取时须再次输入；平台只保存其摘要。"))
    witness_name = forms.CharField(label=_("见证人"), max_length=60)
    witness_secret = forms.CharField(label=_("见证人随机输入"), max_length=200, widget=forms.PasswordInput)


class ExecuteForm(Bootstrapped):
    public_value = forms.CharField(label=_("公开随机值"), max_length=200)
    operator_secret = forms.CharField(label=_("操作人随机输入"), max_length=200, widget=forms.PasswordInput)
    witness_secret = forms.CharField(label=_("见证人随机输入"), max_length=200, widget=forms.PasswordInput)


class NoteForm(Bootstrapped):
    note = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea)


class InspectionForm(Bootstrapped):
    origin = forms.ChoiceField(label=_("检查来源"), choices=[c for c in InspectionOrigin.choices
                                                         if c[0] != InspectionOrigin.DRAW])
    enterprise = forms.ModelChoiceField(label=_("被检查企业"), queryset=Enterprise.objects.none(),
                                        widget=Picker(source="enterprises"))
    inspectors = forms.ModelMultipleChoiceField(label=_("检查人员（至少两人）"), queryset=Inspector.objects.none(),
                                                widget=MultiPicker())
    planned_date = forms.DateField(label=_("计划日期"), widget=DATE, required=False)
    unannounced = forms.BooleanField(label=_("四不两直（不发通知、不打招呼、直奔现场）"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.fields["inspectors"].queryset = Inspector.objects.filter(department_id=user.unit_id, active=True)


class StartForm(forms.Form):
    shown = forms.MultipleChoiceField(label=_("出示执法证件的检查人员"), widget=forms.CheckboxSelectMultiple,
                                      choices=())

    def __init__(self, *args: Any, inspection: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shown"].choices = [(str(i.pk), f"{i.name}（{i.cert_number}）")
                                        for i in inspection.inspectors.all()]


class FindingForm(Bootstrapped):
    uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label=_("检查发现"), widget=forms.Textarea)
    basis = forms.CharField(label=_("依据条款"), max_length=300, required=False)
    result = forms.ChoiceField(label=_("结果"), choices=FindingResult.choices)
    deadline = forms.DateField(label=_("整改期限"), widget=DATE, required=False)
    photos = MultipleFileField(label=_("照片"), required=False, widget=MultipleFileInput(attrs={"accept": "image/*"}))


class RecordForm(Bootstrapped):
    summary = forms.CharField(label=_("检查情况"), widget=forms.Textarea, required=False)
    signer = forms.CharField(label=_("签字的被检查单位负责人"), max_length=60, required=False)
    refused_to_sign = forms.BooleanField(label=_("负责人拒绝签字"), required=False)
    refusal_note = forms.CharField(label=_("拒签情况"), max_length=500, required=False)
    review_days = forms.IntegerField(label=_("责令整改期限（日）"), min_value=1, max_value=365, required=False)


class CloseForm(Bootstrapped):
    review_note = forms.CharField(label=_("复查意见"), widget=forms.Textarea)


class PlanUploadForm(Bootstrapped):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("年度计划（.xlsx）"))


class CaseOpenForm(Bootstrapped):
    cause = forms.CharField(label=_("案由"), max_length=300)


class PenaltyForm(Bootstrapped):
    facts = forms.CharField(label=_("违法事实"), widget=forms.Textarea)
    basis = forms.CharField(label=_("处罚依据"), widget=forms.Textarea)
    penalty_types = forms.MultipleChoiceField(label=_("处罚种类"), choices=PenaltyType.choices,
                                              widget=forms.CheckboxSelectMultiple)
    fine_amount = forms.DecimalField(label=_("罚款金额（元）"), min_value=0, max_digits=14, decimal_places=2,
                                     required=False)
    confiscation_amount = forms.DecimalField(label=_("没收金额（元）"), min_value=0, max_digits=14, decimal_places=2,
                                             required=False)


class StatementForm(Bootstrapped):
    statement = forms.CharField(label=_("陈述申辩/听证意见"), widget=forms.Textarea)


class ServeForm(Bootstrapped):
    served_on = forms.DateField(label=_("送达日期"), widget=DATE)


class ExecutedForm(Bootstrapped):
    executed_note = forms.CharField(label=_("执行情况"), max_length=300)


class EmptyForm(forms.Form):
    pass


class WithdrawForm(Bootstrapped):
    reason = forms.CharField(label=_("撤回理由"), max_length=300)


class CoerciveForm(Bootstrapped):
    measure = forms.ChoiceField(label=_("强制措施"), choices=CoerciveMeasure.choices)
    reason = forms.CharField(label=_("事实和理由"), widget=forms.Textarea, max_length=1000)
    days = forms.IntegerField(label=_("期限（日）"), min_value=1, max_value=30, initial=30,
                              help_text=_("查封、扣押的期限不得超过三十日（行政强制法第二十五条）。"))
    place = forms.CharField(label=_("查封、扣押的场所、设施或者财物"), max_length=300, required=False)
