"""Chinese is the default language; English is the second, chosen from the footer."""

from __future__ import annotations

import polib
from django.conf import settings
from django.test import Client


def test_default_language_is_chinese(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html and "登录安治平台" in html


def test_english_is_available_and_complete(client: Client) -> None:
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/en/LC_MESSAGES/django.po"))
    assert catalogue.percent_translated() == 100
    english = catalogue.find("登录安治平台").msgstr
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in html
    assert english in html and "登录安治平台" not in html


def test_the_catalogue_is_valid_for_gettext() -> None:
    """GNU gettext reads the file too (makemessages runs msgmerge on it): a syntax error there — such as a
    dangling "#| msgid_plural" comment left by an editor — stops every later extraction."""
    import shutil
    import subprocess

    import pytest

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    po = settings.BASE_DIR / "locale/en/LC_MESSAGES/django.po"
    result = subprocess.run([msgfmt, "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
