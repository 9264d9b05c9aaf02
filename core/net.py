"""The client's address: the one place that reads ``REMOTE_ADDR`` and the forwarded headers.

``X-Forwarded-For`` and ``X-Real-IP`` are written by whoever sends the request, so they are believed
only when the peer (``REMOTE_ADDR``) is one of ``settings.ANZHI_TRUSTED_PROXIES``. The chain is then
read from the right: each trusted proxy vouches for the hop to its left, and the first address that
is not a trusted proxy is the client. Whatever lies further left was written by the client itself.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(value: str | None) -> IPAddress | None:
    """An address from a header entry ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443"), or None for garbage."""
    text = (value or "").strip().strip('"')
    if not text:
        return None
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 from a dual-stack socket is 10.0.0.1
    return address


def is_trusted_proxy(address: IPAddress) -> bool:
    return any(address in network for network in settings.ANZHI_TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The address to record for ``request``: the peer, or what trusted proxies say about the client."""
    peer = parse_ip(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not is_trusted_proxy(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = forwarded.split(",") if forwarded.strip() else [request.META.get("HTTP_X_REAL_IP", "")]
    address = peer
    for hop in reversed(hops):
        parsed = parse_ip(hop)
        if parsed is None:
            break  # a trusted proxy passed on garbage: keep the last address we can vouch for
        address = parsed
        if not is_trusted_proxy(parsed):
            break
    return str(address)
