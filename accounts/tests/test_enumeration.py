"""A failed login tells nobody whether the username exists (等保 2.0: 身份鉴别, no user enumeration)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import User
from core.models import ChangeEvent
from tests.personas import PASSWORD, World


def _normalised(response: object, username: str) -> str:
    """The page, with what legitimately differs between two renderings taken out: the CSRF token
    (masked afresh on every response) and the username echoed back into the form."""
    html = response.content.decode()  # type: ignore[attr-defined]
    html = re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF-TOKEN", html)
    return html.replace(f'value="{username}"', 'value="USERNAME"')


def _attempt(username: str, password: str) -> tuple[int, str]:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code, _normalised(response, username)


@pytest.fixture
def hasher_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    hasher = type(get_hasher())
    original = hasher.encode

    def counting(self: object, password: str, salt: str, *args: object, **kwargs: object) -> str:
        calls.append(password)
        return original(self, password, salt, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hasher, "encode", counting)
    yield calls


def test_unknown_user_and_wrong_password_get_the_same_page(world: World) -> None:
    assert _attempt("nobody-here", "Wrong#2026") == _attempt("township_b", "Wrong#2026")


@pytest.mark.parametrize("state", ["disabled", "locked"])
def test_disabled_and_locked_accounts_look_like_a_wrong_password(world: World, state: str) -> None:
    pk = world.users["township_b"].pk
    if state == "disabled":
        User.objects.filter(pk=pk).update(is_active=False)
    else:
        User.objects.filter(pk=pk).update(locked_until=timezone.now() + dt.timedelta(minutes=30))
    # Even the right password gets nothing more than the unknown user does.
    assert _attempt("township_b", PASSWORD) == _attempt("nobody-here", PASSWORD)


def test_the_answer_stays_the_same_up_to_and_after_the_lock(world: World) -> None:
    unknown = [_attempt("nobody-here", "Wrong#2026") for _i in range(6)]
    real = [_attempt("township_b", "Wrong#2026") for _i in range(6)]
    assert real == unknown
    assert len(set(real)) == 1
    # The lock-out still counts for the real account, and the log keeps the real reasons.
    user = world.user("township_b")
    assert user.is_locked() and user.failed_logins == 5
    notes = list(ChangeEvent.objects.for_object(user).filter(action="accounts.login_fail").values_list("note", flat=True))
    assert notes.count("密码错误") == 5 and notes.count("账号已锁定") == 1
    assert ChangeEvent.objects.filter(action="accounts.login_fail", note="用户名不存在", object_repr="nobody-here").count() == 6


@pytest.mark.parametrize("username", ["nobody-here", "township_b"])
def test_every_attempt_runs_the_password_hasher_once(world: World, hasher_calls: list[str], username: str) -> None:
    services.login_attempt(username=username, password="Wrong#2026")
    assert hasher_calls == ["Wrong#2026"]


def test_a_locked_account_still_costs_one_hash(world: World, hasher_calls: list[str]) -> None:
    User.objects.filter(pk=world.users["township_b"].pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5))
    services.login_attempt(username="township_b", password="Wrong#2026")
    assert hasher_calls == ["Wrong#2026"]
