"""The office's forms on units: another spelling of a unit (an alias), or a unit the system lacks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.pickers import Picker
from orgs.choices import UnitKind
from orgs.models import Unit


class AliasForm(forms.Form):
    alias = forms.CharField(max_length=120, label=_("写法（别名）"),
                            help_text=_("任务清单等文件中的写法，如“湘乡市发展和改革局”"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("对应单位"), widget=Picker())
    new_name = forms.CharField(max_length=120, required=False, label=_("或新建单位：名称"),
                               help_text=_("系统中还没有这个单位时填写，如“国网湘乡市供电公司”"))
    new_kind = forms.ChoiceField(choices=[("", "---------"), *UnitKind.choices], required=False,
                                 label=_("新建单位：类别"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("unit") and not (data.get("new_name") or "").strip():
            raise forms.ValidationError(_("请选择对应单位，或填写要新建的单位。"))
        if data.get("unit") and (data.get("new_name") or "").strip():
            raise forms.ValidationError(_("选择已有单位和新建单位只能二选一。"))
        if (data.get("new_name") or "").strip() and not data.get("new_kind"):
            self.add_error("new_kind", _("请选择新建单位的类别。"))
        return data


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=_("边界文件（GeoJSON）"),
                           help_text=_("WGS-84 经纬度的 GeoJSON 要素集合；每个边界的属性写明名称（name）或区划代码（code）。"
                                       "只替换文件中列出的行政区划，全部无误才保存。"))
