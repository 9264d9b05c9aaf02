"""Credentials die with the account's state: for every state that makes an account unusable, both an
API token and a signed-in session are refused on every API list endpoint and on sample pages.

The endpoints come from the router, so an app that registers a new viewset inherits the check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.choices import CredentialState
from accounts.models import ApiToken, User
from anzhi.api import router
from tests.personas import PASSWORD, World

PERSONA = "regulator"  # a business role with a wide scope: it sees every list
PAGES = ["/", "/enterprises/", "/hazards/", "/campaigns/", "/ledgers/", "/risk/overview/", "/accounts/me/"]
API_LISTS = ["/api/v1/me/"] + [f"/api/v1/{prefix}/" for prefix, viewset, _name in router.registry
                               if hasattr(viewset, "list")]


def _states() -> dict[CredentialState, dict[str, Any]]:
    now = timezone.now()
    return {
        CredentialState.DISABLED: {"is_active": False},
        CredentialState.LOCKED: {"locked_until": now + dt.timedelta(minutes=30), "failed_logins": 5},
        CredentialState.EXPIRED: {"password_changed_at": now - dt.timedelta(days=365)},
        CredentialState.MUST_CHANGE: {"must_change_password": True},
    }


def _put_in_state(user: User, state: CredentialState) -> None:
    # Straight to the database: the gate must hold however the state came about.
    User.objects.filter(pk=user.pk).update(**_states()[state])
    assert User.objects.get(pk=user.pk).credential_state() == state


def _usable_endpoints(client: Client, **headers: str) -> list[str]:
    ok = [url for url in API_LISTS if client.get(url, **headers).status_code == 200]
    # Guard the guard: the baseline must reach most lists, or a refusal below would prove nothing.
    assert len(ok) >= len(API_LISTS) - 2, sorted(set(API_LISTS) - set(ok))
    return ok


def test_the_router_has_lists_to_check() -> None:
    assert len(API_LISTS) > 15


@pytest.mark.parametrize("state", list(CredentialState))
def test_api_token_is_refused_in_every_unusable_state(world: World, state: CredentialState) -> None:
    user = world.user(PERSONA)
    _token, key = services.token_create(actor=user, name="对接系统")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    usable = _usable_endpoints(client, **auth)
    _put_in_state(user, state)
    for url in usable:
        response = client.get(url, **auth)
        assert response.status_code == (401 if state.ends_session else 403), url
        assert response.json() == {"detail": state.refusal}, url


@pytest.mark.parametrize("state", list(CredentialState))
def test_session_is_refused_in_every_unusable_state(world: World, state: CredentialState) -> None:
    user = world.user(PERSONA)
    client = Client()
    client.force_login(user)
    usable = _usable_endpoints(client)
    assert all(client.get(page).status_code == 200 for page in PAGES)
    _put_in_state(user, state)
    expected_page = "/accounts/login/" if state.ends_session else "/accounts/password/"
    for url in usable + PAGES:
        if state.ends_session:
            # Each refusal signs the session out; sign in afresh so every URL meets the gate itself.
            client.force_login(user)
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(expected_page), (url, response["Location"])


@pytest.mark.parametrize("state", [CredentialState.EXPIRED, CredentialState.MUST_CHANGE])
def test_a_forced_change_leaves_only_the_password_page_and_logout(world: World, state: CredentialState) -> None:
    user = world.user(PERSONA)
    client = Client()
    client.force_login(user)
    _put_in_state(user, state)
    assert client.get("/accounts/password/").status_code == 200
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_locked_session_is_signed_out_and_told_why(world: World) -> None:
    user = world.user(PERSONA)
    client = Client()
    client.force_login(user)
    _put_in_state(user, CredentialState.LOCKED)
    response = client.get("/", follow=True)
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


# -- the services that change the state end the sessions for good --------------------------------

def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    return client


def _signed_out(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_locking_ends_open_sessions_even_after_the_unlock(world: World) -> None:
    user = world.user("township_b")
    session = _signed_in(user)
    for _i in range(5):
        Client().post("/accounts/login/", {"username": "township_b", "password": "wrong"})
    assert world.user("township_b").is_locked()
    services.account_unlock(actor=world.user("secadmin"), user=user)
    assert _signed_out(session)


def test_disabling_ends_open_sessions_even_after_re_enabling(world: World) -> None:
    sysadmin, user = world.user("sysadmin"), world.user("township_b")
    session = _signed_in(user)
    services.user_update(actor=sysadmin, user=user, is_active=False)
    services.user_update(actor=sysadmin, user=user, is_active=True)
    assert _signed_out(session)


def test_an_administrators_reset_ends_open_sessions(world: World) -> None:
    user = world.user("township_b")
    session = _signed_in(user)
    services.password_reset(actor=world.user("sysadmin"), user=user, new_password="Reset#20261")
    assert _signed_out(session)


def test_changing_ones_password_ends_the_other_sessions_but_keeps_this_one_and_the_tokens(world: World) -> None:
    user = world.user("township_b")
    _token, key = services.token_create(actor=user, name="对接系统")
    here, elsewhere = _signed_in(user), _signed_in(user)
    response = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Changed#2026",
                                                 "new_password2": "Changed#2026"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert _signed_out(elsewhere)
    # Tokens are separate credentials with their own expiry, listed and revoked under 我的账号.
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_signed_out_redirect_carries_the_path_encoded(world: World) -> None:
    # A path with its own query-like text must come back as one `next` value, not inject parameters.
    from urllib.parse import parse_qs, urlsplit

    user = world.user(PERSONA)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    _put_in_state(user, CredentialState.LOCKED)
    response = client.get("/enterprises/x&next=//evil.example/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["next"] == ["/enterprises/x&next=//evil.example/"]
