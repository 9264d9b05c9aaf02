from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ScheduleForm(forms.Form):
    source = forms.CharField(label=_("依据"), max_length=120, required=False,
                             help_text=_("如 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"),
                             widget=forms.TextInput(attrs={"class": "form-control"}))
    holidays = forms.CharField(
        label=_("放假安排"), required=False,
        help_text=_("每行一段：开始日期 至 结束日期 名称，如“2027-02-06 至 2027-02-13 春节”；单日可只写一个日期"),
        widget=forms.Textarea(attrs={"rows": 10, "class": "form-control font-monospace"}))
    workdays = forms.CharField(
        label=_("调休上班"), required=False,
        help_text=_("每行一个周末日期和名称，如“2027-02-14 春节调休上班”"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(
        attrs={"class": "form-control", "accept": ".xlsx"}))
    source = forms.CharField(label=_("依据"), max_length=120, required=False,
                             widget=forms.TextInput(attrs={"class": "form-control"}))


class NewYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=1990, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
