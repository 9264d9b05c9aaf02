"""Forms check the shape of input; the rules live in ``credit.services`` and ``credit.workflow``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import style_widgets
from credit.choices import EventKind, StandardLevel
from credit.models import BlacklistEntry, CreditEvent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class Bootstrapped(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class EventForm(Bootstrapped):
    kind = forms.ChoiceField(label=_("类别"), choices=[(EventKind.OBSTRUCTION.value, EventKind.OBSTRUCTION.label),
                                                      (EventKind.STANDARDIZATION.value, EventKind.STANDARDIZATION.label)])
    level = forms.ChoiceField(label=_("标准化等级"), choices=[("", "—"), *StandardLevel.choices], required=False)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE, initial=timezone.localdate)
    grounds = forms.CharField(label=_("事由"), max_length=500, widget=TEXT)


class ProposeForm(Bootstrapped):
    grounds = forms.CharField(label=_("列入事由"), max_length=2000, widget=TEXT)
    basis = forms.CharField(label=_("列入依据"), max_length=300, required=False,
                            help_text=_("如：《安全生产严重失信主体名单管理办法》第×条"))
    event = forms.ModelChoiceField(label=_("依据的信用事件"), queryset=CreditEvent.objects.none(), required=False)

    def __init__(self, *args: Any, events: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if events is not None:
            self.fields["event"].queryset = events


class RepairForm(Bootstrapped):
    events = forms.ModelMultipleChoiceField(label=_("申请修复的失信事件"), queryset=CreditEvent.objects.none(),
                                            required=False, widget=forms.CheckboxSelectMultiple)
    blacklist_entry = forms.ModelChoiceField(label=_("申请移出的名单记录"), queryset=BlacklistEntry.objects.none(),
                                             required=False)
    rectification = forms.CharField(label=_("整改情况"), max_length=2000, widget=TEXT)
    penalty_fulfilled = forms.BooleanField(label=_("已履行行政处罚（缴清罚款等）"), required=False)
    commitment = forms.CharField(label=_("信用承诺"), max_length=2000, widget=TEXT,
                                 initial=_("本单位承诺所填内容真实，严格遵守安全生产法律法规，如有违反自愿接受惩戒。"))

    def __init__(self, *args: Any, events: Any = None, entries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if events is not None:
            self.fields["events"].queryset = events
        if entries is not None:
            self.fields["blacklist_entry"].queryset = entries


class NoteForm(Bootstrapped):
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ReasonForm(Bootstrapped):
    note = forms.CharField(label=_("理由"), max_length=500)


class DecideForm(Bootstrapped):
    statement = forms.CharField(label=_("告知及陈述申辩情况"), max_length=2000, widget=TEXT)
    listed_on = forms.DateField(label=_("列入日期"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class RevokeForm(Bootstrapped):
    reason = forms.CharField(label=_("撤销理由"), max_length=300)


BLACKLIST_MOVE_FORMS: dict[str, type[forms.Form]] = {"decide": DecideForm, "drop": ReasonForm, "remove": ReasonForm}
REPAIR_MOVE_FORMS: dict[str, type[forms.Form]] = {"approve": NoteForm, "reject": ReasonForm}
