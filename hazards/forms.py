"""Forms check the shape of input; the rules live in the services. ``status`` is never a field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.forms import MultipleFileField, MultipleFileInput, style_widgets
from core.pickers import Picker
from enterprises.models import Enterprise
from hazards.choices import Category, Grade, Source, SupervisionLevel
from hazards.models import Hazard, RectificationPlan, SupervisionStep
from orgs.choices import UnitKind
from orgs.models import Domain, Jurisdiction, Unit

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M")


class HazardRegisterForm(forms.Form):
    """Quick registration, usable on a phone: what, where, a photo from the camera; the rest optional."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), required=False, label=_("企业"),
                                        widget=Picker(source="enterprises"),
                                        help_text=_("无企业的场所（路段、小区等）可不选，改填场所"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("隐患描述"))
    photos = MultipleFileField(required=False, label=_("现场照片"),
                        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    source = forms.ChoiceField(choices=Source.choices, label=_("隐患来源"))
    category = forms.ChoiceField(choices=Category.choices, label=_("隐患类别"), initial=Category.THING)
    grade = forms.ChoiceField(choices=[("", _("暂不定级")), *Grade.choices], required=False, label=_("隐患等级"))
    location = forms.CharField(required=False, label=_("具体位置"), max_length=200)
    domain = forms.ModelChoiceField(queryset=Domain.objects.all(), required=False, label=_("行业领域"))
    jurisdiction = forms.ModelChoiceField(queryset=Jurisdiction.objects.all(), required=False, label=_("属地"),
                                          widget=Picker())
    place = forms.CharField(required=False, label=_("场所"), max_length=200)
    deadline = forms.DateField(required=False, widget=DATE, label=_("限期整改日期"))
    criterion = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("违反的规定"))
    criterion_ref = forms.CharField(required=False, max_length=120, label=_("标准条款编号"))
    reporter = forms.CharField(required=False, max_length=120, label=_("举报人/报告人"))
    report_cause = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   label=_("隐患现状及其产生原因"), help_text=_("重大事故隐患必填"))
    report_analysis = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      label=_("危害程度和整改难易程度分析"), help_text=_("重大事故隐患必填"))
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.user = user
        self.is_enterprise = user.has_role(Role.ENTERPRISE) and not user.has_role(
            Role.OFFICE, Role.REGULATOR, Role.TOWNSHIP, Role.INSPECTOR)
        if self.is_enterprise:
            for name in ("enterprise", "jurisdiction", "place", "reporter", "deadline"):
                del self.fields[name]
            self.fields["source"].choices = [(v, lbl) for v, lbl in Source.choices
                                             if v in (Source.SELF_CHECK, Source.SENSOR, Source.OTHER)]
            ent = user.enterprise
            self.fields["domain"].queryset = ent.domains.all() if ent else Domain.objects.none()
            self.fields["domain"].help_text = _("不选则为本企业的主要行业领域")
        else:
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
            self.fields["source"].initial = Source.GOVERNMENT
            self.fields["source"].choices = [(v, lbl) for v, lbl in Source.choices if v != Source.SELF_CHECK]


class HazardEditForm(forms.ModelForm):
    class Meta:
        model = Hazard
        fields = ["description", "category", "location", "place", "criterion", "criterion_ref", "reporter",
                  "report_cause", "report_analysis"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        if self.instance.enterprise_id:
            del self.fields["place"]
        if self.instance.grade != Grade.MAJOR:
            del self.fields["report_cause"], self.fields["report_analysis"]


class PlanForm(forms.ModelForm):
    class Meta:
        model = RectificationPlan
        fields = RectificationPlan.FIELDS
        widgets = {"deadline": DATE}

    def __init__(self, *args: Any, major: bool, confirmed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        required = [*RectificationPlan.BASIC, *(RectificationPlan.MAJOR if major else [])]
        for name in required:
            self.fields[name].required = True
        if confirmed:
            # After 确定整改方案 the deadline moves only by an approved extension; a posted value is ignored.
            self.fields["deadline"].disabled = True
            self.fields["deadline"].help_text = _("整改方案已确定，期限变更请申请延期。")
        if not major:
            for name in RectificationPlan.MAJOR:
                del self.fields[name]


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("说明"))
    grade = forms.ChoiceField(choices=Grade.choices, required=False, label=_("隐患等级"))
    report_cause = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   label=_("隐患现状及其产生原因"))
    report_analysis = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      label=_("危害程度和整改难易程度分析"))
    result = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("整改完成情况"))
    rectified_on = forms.DateField(required=False, widget=DATE, label=_("整改完成日期"))
    deadline = forms.DateField(required=False, widget=DATE, label=_("延期至"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("to", "note") and v not in (None, "")}


class AttachForm(forms.Form):
    role = forms.ChoiceField(choices=[("before", _("整改前照片")), ("after", _("整改后照片")),
                                      ("document", _("文件（方案、验收报告等）"))], label=_("用途"))
    file = forms.FileField(label=_("文件"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class SupervisionForm(forms.Form):
    level = forms.ChoiceField(choices=SupervisionLevel.choices, initial=SupervisionLevel.COUNTY, label=_("督办级别"))
    supervising_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("督办单位"), widget=Picker())
    deadline = forms.DateField(widget=DATE, label=_("督办整改期限"))
    document_number = forms.CharField(required=False, max_length=60, label=_("督办文号"))
    requirements = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("督办要求"))
    template = forms.ModelChoiceField(queryset=None, label=_("督办制度"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from hazards.models import SupervisionTemplate

        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["supervising_unit"].queryset = Unit.objects.filter(
            active=True, collective=False, kind__in=(UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.COMMITTEE))
        self.fields["template"].queryset = SupervisionTemplate.objects.all()
        self.fields["template"].initial = SupervisionTemplate.objects.filter(is_default=True).first()


class SupervisionRecordForm(forms.Form):
    kind = forms.ChoiceField(choices=SupervisionStep.Kind.choices, label=_("环节"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("督办情况"))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["kind"].choices = [(k, lbl) for k, lbl in SupervisionStep.Kind.choices if k in kinds]


class StatsSubmitForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    quarter = forms.IntegerField(widget=forms.HiddenInput, required=False)
    principal = forms.CharField(max_length=60, label=_("主要负责人（签字）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
