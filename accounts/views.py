from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.choices import Role
from accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    PolicyForm,
    RoleForm,
    TokenForm,
    UserCreateForm,
    UserForm,
)
from accounts.models import ApiToken, SecurityPolicy, User
from core.forms import add_service_error
from core.models import ChangeEvent
from core.paging import page_of
from core.permissions import roles_required


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
                target = ""
            return redirect(target or "core:home")
        form.add_error(None, getattr(request, "anzhi_login_error", "")
                       or services.login_failed_message(SecurityPolicy.current()))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    forced = request.user.credential_state() is not None
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_error(form, exc)
            else:
                form.add_error("new_password1", exc.messages)
        else:
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.token_create(actor=request.user, name=form.cleaned_data["name"],
                                                    days=form.cleaned_data["days"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
    return render(request, "accounts/profile.html", {"tokens": tokens, "form": form, "new_key": new_key})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:profile")


# -- user administration (系统管理员: accounts; 安全管理员: roles, unlock, policy) --------------------

def _user_list(request: HttpRequest) -> Any:
    qs = User.objects.select_related("unit", "enterprise").prefetch_related("role_grants").order_by("username")
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(username__icontains=text) | Q(full_name__icontains=text) | Q(unit__name__icontains=text))
    return page_of(qs, 50, request.GET.get("page"))


@roles_required(Role.SYSADMIN, Role.SECADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"page": _user_list(request),
                                                       "is_sysadmin": request.user.has_role(Role.SYSADMIN)})


@roles_required(Role.SYSADMIN)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("initial_password")
        try:
            user = services.user_create(actor=request.user, password=password, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_error(form, exc)
            else:
                form.add_error("initial_password", exc.messages)
        else:
            messages.success(request, _("已创建账号 %(u)s，请由安全管理员授予角色。") % {"u": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@roles_required(Role.SYSADMIN, Role.SECADMIN)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.select_related("unit", "enterprise"), pk=pk)
    is_sys = request.user.has_role(Role.SYSADMIN)
    is_sec = request.user.has_role(Role.SECADMIN)
    # 三员分立: another system account is only shown here; the services refuse any change to it.
    guarded = target.is_system_account and target.pk != request.user.pk
    edit_form = UserForm(request.POST or None, instance=target) if is_sys and not guarded else None
    reset_form = PasswordResetForm() if is_sys and not target.is_system_account else None
    role_form = RoleForm() if is_sec and not target.is_system_account else None
    if request.method == "POST" and edit_form is not None and edit_form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, **edit_form.cleaned_data)
        except ValidationError as exc:
            add_service_error(edit_form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accounts:user_detail", pk=target.pk)
    history = ChangeEvent.objects.for_object(target)[:50] if is_sec or is_sys else []
    return render(request, "accounts/user_detail.html", {
        "target": target, "edit_form": edit_form, "reset_form": reset_form, "role_form": role_form,
        "roles": sorted(target.role_set), "history": history, "is_sysadmin": is_sys, "is_secadmin": is_sec,
        "guarded": target.is_system_account,
    })


@roles_required(Role.SYSADMIN)
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.password_reset(actor=request.user, user=target, new_password=form.cleaned_data["new_password"])
            messages.success(request, _("已重置密码，用户下次登录须修改。"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect("accounts:user_detail", pk=pk)


@roles_required(Role.SECADMIN)
@require_POST
def user_role(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            if action == "grant":
                services.role_grant(actor=request.user, user=target, role=form.cleaned_data["role"])
            else:
                services.role_revoke(actor=request.user, user=target, role=form.cleaned_data["role"])
            messages.success(request, _("授权已更新。"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect("accounts:user_detail", pk=pk)


@roles_required(Role.SECADMIN)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    services.account_unlock(actor=request.user, user=get_object_or_404(User, pk=pk))
    messages.success(request, _("账号已解锁。"))
    return redirect("accounts:user_detail", pk=pk)


@roles_required(Role.SECADMIN)
def policy_view(request: HttpRequest) -> HttpResponse:
    policy = SecurityPolicy.current()
    form = PolicyForm(request.POST or None, instance=SecurityPolicy.objects.get(pk=policy.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=request.user, **{f: form.cleaned_data[f] for f in SecurityPolicy.FIELDS})
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("安全策略已保存。"))
            return redirect("accounts:policy")
    return render(request, "accounts/policy.html", {"form": form})
