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
