"""Typed readers for settings taken from environment variables.

Each reader refuses a malformed value at start-up instead of running with a silent default.
"""

from __future__ import annotations

import ipaddress
import os

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingError(RuntimeError):
    pass


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise SettingError(f"{name} must be an integer, got {value!r}") from exc
    if minimum is not None and number < minimum:
        raise SettingError(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_networks(name: str, items: list[str]) -> tuple[IPNetwork, ...]:
    """IP addresses and CIDR blocks ("10.0.0.5", "10.0.0.0/24", "fd00::/8"); host bits set in a block
    ("10.0.0.5/24") are refused as a likely typo."""
    networks: list[IPNetwork] = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip()))
        except ValueError as exc:
            raise SettingError(f"{name} must list IP addresses or CIDR blocks, got {item!r}: {exc}") from exc
    return tuple(networks)


def env_networks(name: str) -> tuple[IPNetwork, ...]:
    return parse_networks(name, env_list(name, []))


def map_tile_sources(url_template: str) -> list[str]:
    """The Content-Security-Policy source that lets the browser load map tiles from ``url_template``.

    Leaflet templates put the subdomain in the host (``https://t{s}.tianditu.gov.cn/…``); CSP only allows
    a wildcard for a whole leftmost label, so the label holding a placeholder becomes ``*``."""
    if not url_template:
        return []
    from urllib.parse import urlsplit

    parts = urlsplit(url_template.replace("{s}", "s"))
    host = urlsplit(url_template).netloc.split("@")[-1]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(f"ANZHI_MAP_TILE_URL must be an http(s) URL template, got {url_template!r}")
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):
        raise SettingError(f"ANZHI_MAP_TILE_URL may vary only the first label of its host, got {url_template!r}")
    return [f"{parts.scheme}://{'.'.join(labels)}"]
