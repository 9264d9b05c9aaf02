"""等保 2.0 level 3 account baseline: complexity, lock-out, time-out, forced change, audit of logins."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts import services
from accounts.choices import Role
from accounts.models import SecurityPolicy, User
from core.models import ChangeEvent
from tests.personas import PASSWORD, World


def events(user: User, action: str) -> int:
    return ChangeEvent.objects.for_object(user).filter(action=action).count()


@pytest.mark.parametrize(("password", "message"), [
    ("Ab1!", "至少 8 位"),
    ("abcdefgh1", "至少 3 类"),
    ("ABCDEFGHIJ", "至少 3 类"),
])
def test_weak_passwords_are_refused_in_chinese(world: World, password: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=world.user("sysadmin"), username="newbie", password=password)
    assert any(message in m for m in exc.value.messages)
    assert not User.objects.filter(username="newbie").exists()


def test_recent_passwords_cannot_be_reused(world: World) -> None:
    user = world.user("township_a")
    services.password_change(user=user, old_password=PASSWORD, new_password="Second#2026")
    with pytest.raises(ValidationError) as exc:
        services.password_change(user=user, old_password="Second#2026", new_password=PASSWORD)
    assert any("最近" in m for m in exc.value.messages)


def test_policy_can_be_tightened_by_the_security_admin_only(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.policy_update(actor=world.user("sysadmin"), min_length=12)
    services.policy_update(actor=world.user("secadmin"), min_length=12)
    assert SecurityPolicy.current().min_length == 12
    with pytest.raises(ValidationError):
        services.user_create(actor=world.user("sysadmin"), username="u12", password="Short#2026")
    with pytest.raises(ValidationError, match="8"):
        services.policy_update(actor=world.user("secadmin"), min_length=6)


def test_lockout_after_repeated_failures_and_unlock(client: Client, world: World) -> None:
    user = world.user("township_b")
    # Every failure reads the same (no username enumeration, see test_enumeration.py); the lock is real.
    for _i in range(5):
        response = client.post("/accounts/login/", {"username": "township_b", "password": "wrong"})
        assert "连续登录失败 5 次，账号将锁定 30 分钟" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "township_b", "password": PASSWORD})
    assert "已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.is_locked()
    assert events(user, "accounts.login_fail") == 6
    assert events(user, "accounts.lock") == 1
    services.account_unlock(actor=world.user("secadmin"), user=user)
    response = client.post("/accounts/login/", {"username": "township_b", "password": PASSWORD})
    assert response.status_code == 302
    assert events(user, "accounts.login") == 1


def test_unknown_username_gives_the_same_message_and_is_audited(client: Client, world: World) -> None:
    before = ChangeEvent.objects.filter(action="accounts.login_fail").count()
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert "用户名或密码错误" in response.content.decode()
    assert ChangeEvent.objects.filter(action="accounts.login_fail").count() == before + 1


def test_login_and_logout_are_audited_with_source_and_address(client: Client, world: World) -> None:
    user = world.user("office")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/logout/")
    login = ChangeEvent.objects.for_object(user).filter(action="accounts.login").latest("seq")
    assert (login.source, login.ip, login.actor_id) == ("web", "10.1.2.3", user.pk)
    assert events(user, "accounts.logout") == 1


def test_admin_created_account_must_change_password_first(client: Client, world: World) -> None:
    user = services.user_create(actor=world.user("sysadmin"), username="newtown", password="Initial#2026",
                                unit=world.user("township_a").unit)
    services.role_grant(actor=world.user("secadmin"), user=user, role=Role.TOWNSHIP)
    client.post("/accounts/login/", {"username": "newtown", "password": "Initial#2026"})
    response = client.get("/enterprises/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    api = client.get("/api/v1/enterprises/")
    assert api.status_code == 403
    response = client.post("/accounts/password/", {"old_password": "Initial#2026", "new_password1": "Changed#2026",
                                                   "new_password2": "Changed#2026"})
    assert response.status_code == 302
    assert client.get("/enterprises/").status_code == 200


def test_idle_session_times_out_and_is_audited(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    assert client.get("/").status_code == 200
    session = client.session
    session["anzhi_last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert events(world.user("office"), "accounts.logout") == 1
    assert client.get("/").status_code == 302


def test_expired_password_forces_a_change(client: Client, world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    User.objects.filter(pk=world.users["regulator"].pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.force_login(world.users["regulator"])
    assert client.get("/")["Location"] == "/accounts/password/"


# -- 三员分立 ------------------------------------------------------------------------------

def test_three_system_roles_cannot_be_combined(world: World) -> None:
    sec = world.user("secadmin")
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_grant(actor=sec, user=world.user("sysadmin"), role=Role.AUDITADMIN)
    with pytest.raises(ValidationError, match="业务角色"):
        services.role_grant(actor=sec, user=world.user("auditadmin"), role=Role.EXPERT)
    with pytest.raises(ValidationError, match="业务角色"):
        services.role_grant(actor=sec, user=world.user("office"), role=Role.SYSADMIN)


def test_each_administrator_does_only_its_own_job(world: World) -> None:
    sysadmin, secadmin, auditadmin = world.user("sysadmin"), world.user("secadmin"), world.user("auditadmin")
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=sysadmin, user=world.user("expert"), role=Role.INSPECTOR)
    with pytest.raises(PermissionDenied):
        services.user_create(actor=secadmin, username="x1", password="Valid#20261")
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=secadmin, user=secadmin, role=Role.SECADMIN)
    for actor in (auditadmin,):
        with pytest.raises(PermissionDenied):
            services.user_create(actor=actor, username="x2", password="Valid#20261")
        with pytest.raises(PermissionDenied):
            services.account_unlock(actor=actor, user=world.user("office"))


def test_role_must_fit_the_unit(world: World) -> None:
    sec = world.user("secadmin")
    with pytest.raises(ValidationError, match="部门"):
        services.role_grant(actor=sec, user=world.user("township_a"), role=Role.REGULATOR)
    with pytest.raises(ValidationError, match="所属企业"):
        services.role_grant(actor=sec, user=world.user("expert"), role=Role.ENTERPRISE)


def test_admin_pages_follow_the_separation(client: Client, world: World) -> None:
    client.force_login(world.users["secadmin"])
    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/users/new/").status_code == 403
    assert client.get("/accounts/policy/").status_code == 200
    client.force_login(world.users["sysadmin"])
    assert client.get("/accounts/users/new/").status_code == 200
    assert client.get("/accounts/policy/").status_code == 403
    target = world.users["expert"]
    assert client.post(f"/accounts/users/{target.pk}/roles/grant/", {"role": "inspector"}).status_code == 403


# -- API tokens ----------------------------------------------------------------------------

def test_api_token_authenticates_and_can_be_revoked(world: World) -> None:
    user = world.user("regulator")
    token, key = services.token_create(actor=user, name="企业自建系统")
    api = Client()
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["username"] == "regulator"
    assert token.key_hash != key and key not in token.key_hash
    services.token_revoke(actor=user, token=token)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token az_forged").status_code == 401


def test_system_accounts_get_no_business_tokens(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.token_create(actor=world.user("auditadmin"), name="x")
