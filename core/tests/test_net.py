"""Client addresses: forwarded headers are believed only from configured proxies, through one helper."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from anzhi.env import SettingError, env_networks, parse_networks
from core.models import ChangeEvent
from core.net import client_ip
from tests.personas import PASSWORD, World

PROXIES = parse_networks("test", ["10.0.0.5", "172.16.0.0/12", "fd00::/8"])


def ip_of(**meta: str) -> str | None:
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)
    return client_ip(request)


@pytest.fixture
def proxies(settings: Settings) -> None:
    settings.ANZHI_TRUSTED_PROXIES = PROXIES


def test_forwarded_headers_are_ignored_without_configured_proxies(settings: Settings) -> None:
    settings.ANZHI_TRUSTED_PROXIES = ()
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="5.6.7.8") == "10.0.0.5"


def test_spoofed_header_from_an_untrusted_peer_is_ignored(proxies: None) -> None:
    assert ip_of(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4") == "203.0.113.9"
    assert ip_of(REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="1.2.3.4") == "203.0.113.9"


def test_a_trusted_proxy_names_the_client(proxies: None) -> None:
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7") == "198.51.100.7"
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="198.51.100.7") == "198.51.100.7"


def test_the_right_most_untrusted_address_of_a_chain_is_the_client(proxies: None) -> None:
    # The client wrote "1.1.1.1" itself; the outer proxy 172.16.3.4 saw 198.51.100.7 and the inner
    # proxy 10.0.0.5 saw 172.16.3.4.
    chain = "1.1.1.1, 198.51.100.7, 172.16.3.4"
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=chain) == "198.51.100.7"
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="172.16.3.4, 10.0.0.5") == "172.16.3.4"


def test_garbage_is_never_recorded(proxies: None) -> None:
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>") == "10.0.0.5"
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="evil, 172.16.3.4") == "172.16.3.4"
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=" , ") == "10.0.0.5"
    assert ip_of(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 999.1.1.1") == "10.0.0.5"
    assert ip_of(REMOTE_ADDR="not-an-address", HTTP_X_FORWARDED_FOR="1.2.3.4") is None
    assert ip_of() is None


def test_ports_brackets_and_mapped_addresses_are_understood(proxies: None) -> None:
    assert ip_of(REMOTE_ADDR="::ffff:10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7:50123") == "198.51.100.7"
    assert ip_of(REMOTE_ADDR="fd00::1", HTTP_X_FORWARDED_FOR="[2001:db8::7]:443") == "2001:db8::7"
    assert ip_of(REMOTE_ADDR="2001:db8::9") == "2001:db8::9"


def test_trusted_proxies_setting_refuses_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANZHI_TRUSTED_PROXIES", "10.0.0.5, 192.168.0.0/16")
    assert [str(n) for n in env_networks("ANZHI_TRUSTED_PROXIES")] == ["10.0.0.5/32", "192.168.0.0/16"]
    for bad in ("proxy.example.com", "10.0.0.5/24", "10.0.0.0/33"):
        monkeypatch.setenv("ANZHI_TRUSTED_PROXIES", bad)
        with pytest.raises(SettingError, match="ANZHI_TRUSTED_PROXIES"):
            env_networks("ANZHI_TRUSTED_PROXIES")
    monkeypatch.delenv("ANZHI_TRUSTED_PROXIES")
    assert env_networks("ANZHI_TRUSTED_PROXIES") == ()


def test_the_change_log_records_the_address_the_helper_gives(client: Client, world: World, proxies: None) -> None:
    user = world.user("office")
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD},
                REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    login = ChangeEvent.objects.for_object(user).filter(action="accounts.login").latest("seq")
    logout = ChangeEvent.objects.for_object(user).filter(action="accounts.logout").latest("seq")
    assert (login.ip, logout.ip) == ("203.0.113.9", "198.51.100.7")


# -- the class test: nobody reads the peer address or the forwarded headers but core.net -----------

FORBIDDEN = re.compile(r"REMOTE_ADDR|HTTP_X_FORWARDED|HTTP_X_REAL_IP|X-Forwarded-For|X-Real-IP", re.IGNORECASE)
SKIP_DIRS = {".venv", "var", "node_modules", "locale", "static", ".git", "__pycache__", "build", "dist"}


def _is_test_file(path: Path) -> bool:
    # Tests may set REMOTE_ADDR on the test client: that is the request, not a read of it.
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"


def test_only_core_net_reads_client_addresses() -> None:
    root = Path(settings.BASE_DIR)
    helper = root / "core" / "net.py"
    offenders = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.suffix not in {".py", ".html"} or SKIP_DIRS & set(relative.parts) or path == helper:
            continue
        if _is_test_file(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "read client addresses through core.net.client_ip():\n" + "\n".join(offenders)
