"""Forms check the shape of input; the rules live in the services (house style 5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import Comparison, ListItemStatus, ListKind, PlanKind, ReportedStatus
from campaigns.models import Campaign, Goal, ListItem, Phase, Plan, PlanType
from core.forms import MultipleFileField
from core.pickers import MultiPicker, Picker, ask_when_long
from core.scoping import scope_for
from orgs.models import Domain, Jurisdiction, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _NoModelValidation:
    def _post_clean(self) -> None:  # rules are the service's
        pass


class CampaignForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "short_name", "document_number", "document_title", "issuer", "issued_on", "starts_on",
                  "ends_on", "report_interval", "report_day", "office_unit", "jurisdiction"]
        widgets = {"issued_on": DATE, "starts_on": DATE, "ends_on": DATE, "office_unit": Picker(), "jurisdiction": Picker()}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        paths = scope.territories or ("\0",)
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(path__startswith=p)
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.filter(q)
        ask_when_long(self.fields["jurisdiction"], "territory")  # a province's territories: asked for as one types
        self.fields["office_unit"].queryset = Unit.objects.filter(active=True, collective=False)
        if user.unit_id and not self.instance.pk:
            self.fields["office_unit"].initial = user.unit_id
            self.fields["jurisdiction"].initial = user.unit.jurisdiction_id


class PhaseForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "kind", "starts_on", "ends_on", "text", "sort"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "text": forms.Textarea(attrs={"rows": 3})}


class _UnitsMixin(forms.Form):
    lead_units = forms.ModelMultipleChoiceField(queryset=Unit.objects.filter(active=True), required=False,
                                                label=_("牵头单位"), widget=MultiPicker())
    coop_units = forms.ModelMultipleChoiceField(queryset=Unit.objects.filter(active=True), required=False,
                                                label=_("配合单位"), widget=MultiPicker())
    implementing_units = forms.ModelMultipleChoiceField(queryset=Unit.objects.filter(active=True), required=False,
                                                        label=_("实施单位"), widget=MultiPicker(),
                                                        help_text=_("选择“各乡镇（街道）”等集合称谓时，自动分配到其包含的每个单位"))


class PlanForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["plan_type", "kind", "code", "title", "short_name", "domain", "preamble", "objective_text", "sort"]
        widgets = {"preamble": forms.Textarea(attrs={"rows": 3}), "objective_text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.all()
        self.fields["kind"].initial = PlanKind.DOMAIN
        # The campaign's own list of plan types (八大行动, or the seed's 行业领域 and 专题): the plan's code, kind
        # and domain default to its type's.
        self.fields["plan_type"].queryset = (campaign.plan_types.all() if campaign is not None
                                             else PlanType.objects.none())
        self.fields["code"].required = False
        self.fields["code"].help_text = _("留空时沿用方案类别的代码")


class PlanTypeForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = PlanType
        fields = ["code", "name", "kind", "domain"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.all()
        self.fields["kind"].initial = PlanKind.DOMAIN


class GoalForm(_NoModelValidation, forms.ModelForm):
    """A goal (目标) or, with a comparison and a target value, an indicator (指标) of a plan."""

    class Meta:
        model = Goal
        fields = ["text", "metric", "comparison", "target_value", "measure_unit", "target_text", "deadline",
                  "deadline_text", "ref"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "deadline": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comparison"].choices = [("", "—"), *Comparison.choices]


class PlanUnitsForm(_UnitsMixin):
    pass


class TaskForm(_UnitsMixin):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label=_("方案"))
    number = forms.CharField(max_length=40, required=False, label=_("编号"))
    table_group = forms.CharField(max_length=200, required=False, label=_("分组（专题项目）"))
    title = forms.CharField(max_length=300, label=_("任务"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("任务内容"))
    measures = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("整治措施"))
    deadline_text = forms.CharField(max_length=300, required=False, label=_("计划完成时间"),
                                    help_text=_("按文件写法填写，如“2020年8月底”“10月30日前”“长期坚持”“即时”“待定”"))
    phase = forms.ModelChoiceField(queryset=Phase.objects.none(), required=False, label=_("阶段"),
                                   help_text=_("留空则按完成期限自动归入阶段"))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = campaign.plans.all()
        self.fields["phase"].queryset = campaign.phases.all()
        self.order_fields(["plan", "number", "table_group", "title", "text", "measures", "lead_units", "coop_units",
                           "implementing_units", "deadline_text", "phase"])


class ProgressReportForm(forms.Form):
    reported_status = forms.ChoiceField(choices=ReportedStatus.choices, label=_("进展情况"))
    percent = forms.IntegerField(min_value=0, max_value=100, label=_("完成进度（%）"))
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("工作进展"))


class EvidenceForm(forms.Form):
    files = MultipleFileField(required=False, label=_("佐证材料"),
                              help_text=_("图片、PDF、Word、Excel，可多选"))


class ReviewForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("审核意见"),
                              help_text=_("退回时必须填写"))


class TaskTableImportForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label=_("导入到方案"))
    year = forms.IntegerField(min_value=2000, max_value=2100, label=_("清单年度"),
                              help_text=_("“10月30日前”等未写年份的完成时间按此年度理解"))
    file = forms.FileField(label=_("任务清单（.xlsx）"))
    drop_manual_units = forms.BooleanField(required=False, label=_("重新导入时移除手工添加的责任单位"),
                                           help_text=_("默认保留手工添加的单位；报送过进展的单位总是保留。"))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = campaign.plans.all()
        self.fields["year"].initial = campaign.starts_on.year


class GoalImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class ListItemForm(_NoModelValidation, forms.ModelForm):
    class Meta:
        model = ListItem
        fields = ["kind", "item", "measure", "owner", "deadline_text", "status"]
        widgets = {"item": forms.Textarea(attrs={"rows": 2}), "measure": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"deadline_text": _("如“2020年12月底前”“长期坚持”")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = ListKind.PROBLEM
        self.fields["status"].initial = ListItemStatus.OPEN


class GoalReadingForm(forms.Form):
    value = forms.DecimalField(max_digits=14, decimal_places=4, label=_("实际值"))
    as_of = forms.DateField(widget=DATE, label=_("统计截至"))
    note = forms.CharField(max_length=300, required=False, label=_("说明"))
