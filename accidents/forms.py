"""Forms check the shape of input; the rules live in ``accidents.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accidents.choices import AccidentType, AttachmentRole, PartyKind
from core.forms import StyledForm
from core.pickers import Picker
from enterprises.models import Enterprise
from orgs.models import Domain, Jurisdiction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


Bootstrapped = StyledForm


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100_000, initial=0)


class AccidentForm(Bootstrapped):
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DATETIME,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    accident_type = forms.ChoiceField(label=_("事故类别（GB 6441-1986）"), choices=AccidentType.choices)
    enterprise = forms.ModelChoiceField(label=_("事故单位"), queryset=Enterprise.objects.none(), required=False,
                                        widget=Picker(source="enterprises"),
                                        help_text=_("没有事故单位的（道路、住宅、河道等）可不选，改填属地和地点"))
    jurisdiction = forms.ModelChoiceField(label=_("属地"), queryset=Jurisdiction.objects.all(), required=False,
                                          widget=Picker())
    domain = forms.ModelChoiceField(label=_("行业领域"), queryset=Domain.objects.all(), required=False)
    address = forms.CharField(label=_("事故地点"), max_length=255, required=False)
    deaths = _count(_("死亡人数"))
    serious_injuries = _count(_("重伤人数（含急性工业中毒）"))
    injuries = _count(_("轻伤人数"))
    direct_loss = forms.DecimalField(label=_("直接经济损失（万元）"), min_value=Decimal(0),
                                     max_value=Decimal("9999999999.99"), decimal_places=2, initial=0)
    summary = forms.CharField(label=_("事故简要经过"), widget=TEXT)
    road_traffic = forms.BooleanField(label=_("道路交通事故"), required=False)
    business_premises = forms.BooleanField(label=_("发生在生产经营场所"), required=False, initial=True)
    notable = forms.BooleanField(label=_("有较大影响"), required=False)
    typical = forms.BooleanField(label=_("列为典型案例"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user, grants=False).order_by("name")


class ReviseForm(Bootstrapped):
    deaths = _count(_("死亡人数"))
    serious_injuries = _count(_("重伤人数（含急性工业中毒）"))
    injuries = _count(_("轻伤人数"))
    note = forms.CharField(label=_("补报说明"), max_length=500)


class EditForm(Bootstrapped):
    address = forms.CharField(label=_("事故地点"), max_length=255)
    summary = forms.CharField(label=_("事故简要经过"), widget=TEXT)
    business_premises = forms.BooleanField(label=_("发生在生产经营场所"), required=False)
    notable = forms.BooleanField(label=_("有较大影响"), required=False)
    typical = forms.BooleanField(label=_("列为典型案例"), required=False)


class FindingForm(Bootstrapped):
    kind = forms.ChoiceField(label=_("类别"), choices=PartyKind.choices)
    name = forms.CharField(label=_("责任人/责任单位"), max_length=120)
    position = forms.CharField(label=_("职务/单位性质"), max_length=120, required=False)
    responsibility = forms.CharField(label=_("责任认定"), widget=TEXT)
    handling = forms.CharField(label=_("处理建议"), widget=TEXT, required=False)


class AttachForm(Bootstrapped):
    role = forms.ChoiceField(label=_("材料类别"), choices=AttachmentRole.choices)
    file = forms.FileField(label=_("文件"))


class NoteForm(Bootstrapped):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ReopenForm(Bootstrapped):
    note = forms.CharField(label=_("退回理由"), max_length=500)


class ReportForm(Bootstrapped):
    cause = forms.CharField(label=_("事故原因"), widget=TEXT)
    direct_loss = forms.DecimalField(label=_("核定的直接经济损失（万元）"), min_value=Decimal(0),
                                     max_value=Decimal("9999999999.99"), decimal_places=2, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class CloseForm(Bootstrapped):
    approved_on = forms.DateField(label=_("批复日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class EvaluateForm(Bootstrapped):
    evaluation = forms.CharField(label=_("整改评估结论"), widget=TEXT)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


MOVE_FORMS: dict[str, type[forms.Form]] = {
    "investigate": NoteForm, "report": ReportForm, "reopen": ReopenForm, "close": CloseForm, "evaluate": EvaluateForm,
}


class BulletinForm(Bootstrapped):
    tasks = forms.CharField(label=_("下月工作任务（每行一项）"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                            max_length=20000)


class ImportForm(Bootstrapped):
    file = forms.FileField(label=_("历史事故（.xlsx）"))
