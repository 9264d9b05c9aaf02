from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import SecurityPolicy, User
from accounts.validators import PolicyPasswordValidator
from core.forms import StyledForm
from core.pickers import Picker
from enterprises.models import Enterprise
from orgs.models import Unit


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=60,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PolicyPasswordValidator().get_help_text()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "unit", "enterprise", "is_active"]
        # Searchable in the page: the system administrator has no business scope for the remote source.
        widgets = {"unit": Picker(), "enterprise": Picker()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(collective=False, active=True).select_related("jurisdiction")
        self.fields["enterprise"].queryset = Enterprise.objects.order_by("name")

    def _post_clean(self) -> None:  # rules are in accounts.services
        pass


class UserCreateForm(UserForm):
    initial_password = forms.CharField(label=_("初始密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                       help_text=_("用户首次登录时须修改。"))

    class Meta(UserForm.Meta):
        fields = ["username", "full_name", "phone", "email", "unit", "enterprise"]


class PasswordResetForm(StyledForm):
    new_password = forms.CharField(label=_("新的初始密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class RoleForm(StyledForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = SecurityPolicy.FIELDS

    def _post_clean(self) -> None:
        pass


class TokenForm(StyledForm):
    name = forms.CharField(label=_("用途"), max_length=80)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=3650, initial=365)
