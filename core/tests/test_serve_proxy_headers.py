"""Behind a reverse proxy, `manage.py serve` (waitress) hands X-Forwarded-For to the platform, which alone decides
whether to believe it (core.net.client_ip); waitress's own default would drop it, so every client behind the proxy
would share one address (and one 举报 rate limit)."""

from __future__ import annotations

import http.client
import threading

from waitress import create_server

from core.management.commands.serve import WAITRESS


def test_serve_passes_forwarded_headers_through() -> None:
    seen: dict[str, str] = {}

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        seen["xff"] = environ.get("HTTP_X_FORWARDED_FOR", "")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = create_server(app, host="127.0.0.1", port=0, **WAITRESS)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=5)
        conn.request("GET", "/", headers={"X-Forwarded-For": "203.0.113.7"})
        assert conn.getresponse().status == 200
    finally:
        server.close()
    assert seen["xff"] == "203.0.113.7"
