"""三员分立 cannot be defeated by taking over an account: no administrator (nor anyone else) can reset
the password of, disable, edit, or change the roles of another system account through the services,
the pages, the API or the Django admin. A system account is reset only on the server, recorded."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.choices import Role
from accounts.models import User
from anzhi.api import router
from core.audit import Source, audit_context
from core.models import ChangeEvent
from tests.personas import PASSWORD, USERS, World

SYSTEM = ["sysadmin", "secadmin", "auditadmin"]
TAKEOVER = "Takeover#2026"
# Every persona against every system account but itself.
PAIRS = [(actor, target) for actor, target in itertools.product(USERS, SYSTEM) if actor != target]


def _fingerprint(user: User) -> dict[str, Any]:
    user = User.objects.get(pk=user.pk)
    return {"username": user.username, "password": user.password, "is_active": user.is_active,
            "must_change": user.must_change_password, "generation": user.session_generation,
            "roles": sorted(user.role_set), "full_name": user.full_name, "unit": user.unit_id}


@pytest.mark.parametrize(("actor", "target"), PAIRS)
def test_services_refuse_to_take_over_another_system_account(world: World, actor: str, target: str) -> None:
    who, victim = world.user(actor), world.user(target)
    before = _fingerprint(victim)
    attempts = [
        lambda: services.password_reset(actor=who, user=victim, new_password=TAKEOVER),
        lambda: services.user_update(actor=who, user=victim, is_active=False),
        lambda: services.user_update(actor=who, user=victim, username=f"{target}-x"),
        lambda: services.user_update(actor=who, user=victim, full_name="冒名"),
        *[lambda role=role: services.role_revoke(actor=who, user=victim, role=role) for role in victim.role_set],
        *[lambda role=role: services.role_grant(actor=who, user=victim, role=role) for role in Role],
    ]
    for attempt in attempts:
        try:
            attempt()
        except (PermissionDenied, ValidationError):
            pass
    assert _fingerprint(victim) == before


@pytest.mark.parametrize(("actor", "target"), PAIRS)
def test_pages_refuse_to_take_over_another_system_account(world: World, actor: str, target: str) -> None:
    victim = world.user(target)
    before = _fingerprint(victim)
    client = Client()
    client.force_login(world.users[actor])
    base = f"/accounts/users/{victim.pk}/"
    client.post(f"{base}password/", {"new_password": TAKEOVER})
    client.post(base, {"username": f"{target}-x", "full_name": "冒名"})  # is_active left out: unticked
    for role in victim.role_set:
        client.post(f"{base}roles/revoke/", {"role": role})
    client.post(f"{base}roles/grant/", {"role": Role.EXPERT})
    # The Django admin: no user change or password form, and its own password page is ours.
    for url in (f"/sysadmin/accounts/user/{victim.pk}/change/", f"/sysadmin/accounts/user/{victim.pk}/password/"):
        assert client.get(url).status_code in (302, 403, 404), url
        assert client.post(url, {"password1": TAKEOVER, "password2": TAKEOVER}).status_code in (302, 403, 404), url
    assert _fingerprint(victim) == before
    assert Client().post("/accounts/login/", {"username": target, "password": TAKEOVER}).status_code == 200


def test_the_sysadmins_page_offers_no_way_to_take_over(client: Client, world: World) -> None:
    client.force_login(world.users["sysadmin"])
    html = client.get(f"/accounts/users/{world.users['secadmin'].pk}/").content.decode()
    assert 'data-testid="system-account-guarded"' in html
    assert "/password/" not in html and 'name="username"' not in html
    client.force_login(world.users["secadmin"])
    html = client.get(f"/accounts/users/{world.users['sysadmin'].pk}/").content.decode()
    assert "/roles/" not in html


def test_no_admin_or_api_route_edits_accounts(world: World) -> None:
    # Accounts change only through the accounts pages, whose services hold the 三员分立 rules; a model
    # admin or a viewset over them would be a way around those rules.
    account_models = {m for m in admin.site._registry if m._meta.app_label == "accounts"}
    assert not account_models, f"accounts models in the Django admin: {account_models}"
    for prefix, viewset, _basename in router.registry:
        model = _model_of(viewset)
        assert model is None or model._meta.app_label != "accounts", prefix
    assert set(Client().options("/api/v1/me/")["Allow"].split(", ")) <= {"GET", "HEAD", "OPTIONS"}


def _model_of(viewset: Any) -> Any:
    queryset = getattr(viewset, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(getattr(getattr(viewset, "serializer_class", None), "Meta", None), "model", None)


def test_the_admins_own_password_change_goes_through_the_policy(world: World) -> None:
    client = Client()
    client.force_login(world.users["sysadmin"])
    response = client.post("/sysadmin/password_change/", {
        "old_password": PASSWORD, "new_password1": TAKEOVER, "new_password2": TAKEOVER})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert world.user("sysadmin").check_password(PASSWORD)
    response = client.post("/sysadmin/logout/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert ChangeEvent.objects.for_object(world.users["sysadmin"]).filter(action="accounts.logout").exists()


def test_business_accounts_and_new_administrators_still_work(world: World) -> None:
    sysadmin, secadmin = world.user("sysadmin"), world.user("secadmin")
    services.password_reset(actor=sysadmin, user=world.user("township_b"), new_password="Reset#20261")
    services.user_update(actor=sysadmin, user=sysadmin, full_name="系统管理员甲")
    newcomer = services.user_create(actor=sysadmin, username="auditor2", password="Initial#2026")
    services.role_grant(actor=secadmin, user=newcomer, role=Role.AUDITADMIN)
    assert world.user("sysadmin").full_name == "系统管理员甲"
    assert User.objects.get(username="auditor2").has_role(Role.AUDITADMIN)


# -- the server-side reset ----------------------------------------------------------------------

@pytest.mark.parametrize("target", SYSTEM)
def test_a_system_account_is_reset_on_the_server_and_recorded(world: World, target: str) -> None:
    victim = world.user(target)
    session = Client()
    session.force_login(victim)
    User.objects.filter(pk=victim.pk).update(failed_logins=5, locked_until=timezone.now() + dt.timedelta(minutes=30))
    out = io.StringIO()
    call_command("reset_system_account", target, stdout=out)
    password = out.getvalue().strip().splitlines()[-1]
    victim = world.user(target)
    assert victim.check_password(password) and victim.must_change_password
    assert not victim.is_locked() and victim.failed_logins == 0
    event = ChangeEvent.objects.for_object(victim).filter(action="accounts.password_reset").latest("seq")
    assert (event.source, event.actor_id) == ("command", None) and "管理命令" in event.note
    assert password not in str(event.changes) + event.note
    assert session.get("/")["Location"].startswith("/accounts/login/")  # old sessions ended
    fresh = Client()
    assert fresh.post("/accounts/login/", {"username": target, "password": password}).status_code == 302
    assert fresh.get("/")["Location"] == "/accounts/password/"


def test_the_server_reset_is_for_system_accounts_only_and_only_from_a_command(world: World) -> None:
    with pytest.raises(CommandError, match="不是系统管理账号"):
        call_command("reset_system_account", "township_a", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("reset_system_account", "nobody-here", stdout=io.StringIO())
    for source in (Source.WEB, Source.API, Source.IMPORT, Source.SYSTEM):
        with audit_context(source=source), pytest.raises(PermissionDenied):
            services.system_account_reset(user=world.user("secadmin"))
    assert world.user("secadmin").check_password(PASSWORD)
