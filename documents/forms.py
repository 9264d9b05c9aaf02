"""The upload form: the shape of the input only; the checks of the file are the service's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DOCX_ACCEPT = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("修改后的模板（.docx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": DOCX_ACCEPT, "class": "form-control"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False,
                           help_text=_("例如：按 2025 年新文头修改。"),
                           widget=forms.TextInput(attrs={"class": "form-control"}))
