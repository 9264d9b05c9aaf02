"""A fresh clone serves pages and passes its tests with no hidden step (issue 9, item 16).

The two build products a clone lacks — compiled catalogues and collected static files — are made by the
programs that need them, or the server refuses to start with a Chinese message saying what to run."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from core.startup import (
    collect_static_if_needed,
    compile_stale_catalogues,
    refuse_without_static_files,
    static_files_problem,
)

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
PRODUCTION_STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                       "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}


def test_the_test_run_compiled_the_catalogues() -> None:
    # conftest.py compiles them at the start of the session: plain ``pytest`` on a fresh clone works.
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime


def test_stale_catalogues_are_compiled_and_current_ones_left_alone(tmp_path: Path) -> None:
    po = tmp_path / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(PO, po)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        lines: list[str] = []
        assert compile_stale_catalogues(lines.append) == 1
        assert "100% 已翻译" in lines[0]
        english = polib.pofile(str(po)).find("登录安治平台").msgstr
        assert polib.mofile(str(po.with_suffix(".mo"))).find("登录安治平台").msgstr == english
        assert compile_stale_catalogues() == 0
        later = time.time() + 5
        os.utime(po, (later, later))  # the .po changed after the last compile
        assert compile_stale_catalogues() == 1
        assert list(po.parent.glob(".tmp-*")) == []


def _wsgi_get(app: Any, path: str) -> tuple[str, dict[str, str], bytes]:
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1",
                               "wsgi.input": BytesIO()}
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=dict(headers))

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
def test_serve_on_an_empty_static_root_collects_and_answers_page_and_asset(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "probe.css").write_text("body { color: #123456; }\n")
    static_root = tmp_path / "static"
    served: dict[str, Any] = {}

    def fake_waitress(app: Any, **kwargs: Any) -> None:  # instead of listening: ask the app what a browser would
        status, headers, body = _wsgi_get(app, "/accounts/login/")
        css = re.search(rb'href="(/static/core/anzhi\.[0-9a-f]+\.css)"', body)
        served.update(page=status, policy=headers.get("Content-Security-Policy", ""), css_url=css and css.group(1))
        if css:
            served["css"] = _wsgi_get(app, css.group(1).decode())

    import waitress

    monkeypatch.setattr(waitress, "serve", fake_waitress)
    monkeypatch.delitem(sys.modules, "anzhi.wsgi", raising=False)
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=static_root,
                           STATICFILES_DIRS=[*settings.STATICFILES_DIRS, ("probe", extra)]):
        # Before: a server loading the WSGI module refuses to start, saying what to run.
        assert "尚未收集静态文件" in (static_files_problem() or "")
        with pytest.raises(ImproperlyConfigured, match="collectstatic"):
            refuse_without_static_files()

        call_command("serve", "--no-background", stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert served["page"] == "200 OK" and "script-src 'self'" in served["policy"]
        assert served["css_url"], "the page names the hashed stylesheet"
        status, headers, body = served["css"]
        assert status == "200 OK" and body == (Path(settings.BASE_DIR) / "core/static/core/anzhi.css").read_bytes()
        assert static_files_problem() is None
        refuse_without_static_files()

        # An upgrade that changes a static file after the last collection makes it stale: serve collects
        # again (the path above), a server loading the WSGI module refuses.
        # The changed file is dated after the collection (not the collection before it: in a fresh
        # install, package files are themselves only seconds old and would be found first).
        (extra / "probe.css").write_text("body { color: #654321; }\n")
        later = (static_root / "staticfiles.json").stat().st_mtime + 60
        os.utime(extra / "probe.css", (later, later))
        assert "probe/probe.css 在上次收集之后有更新" in (static_files_problem() or "")
        with pytest.raises(ImproperlyConfigured, match="collectstatic"):
            refuse_without_static_files()
        os.utime(static_root / "staticfiles.json", (later + 1, later + 1))
        (extra / "probe2.css").write_text("")
        assert "probe/probe2.css 尚未收集" in (static_files_problem() or "")
    monkeypatch.delitem(sys.modules, "anzhi.wsgi", raising=False)


def test_an_unwritable_static_root_is_refused_in_chinese(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=blocked / "static"):
        with pytest.raises(ImproperlyConfigured, match="无法把静态文件收集到"):
            collect_static_if_needed(lambda line: None)
