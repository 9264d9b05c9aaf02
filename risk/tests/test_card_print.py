"""一会三卡 as a page to print (issue 14 item 7): the same rows as the Word card, escaped, scoped."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from risk import services
from risk.documents import card_docx, docx_text
from risk.tests.factories import make_point

pytestmark = pytest.mark.django_db


def _cells(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<br>", "\n", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", page, flags=re.S)]


@pytest.mark.parametrize("kind", ["notice", "emergency", "duty"])
def test_the_printed_card_has_the_rows_of_the_word_card(client: Client, world, kind: str) -> None:
    ent = world.enterprises["ent_a1"]
    point = make_point(ent, "orange", name="轧钢机操作岗", kind="post", emergency_actions="立即按下急停按钮\n报告班长",
                       duties="执行操作规程<script>alert(1)</script>")
    services.measure_add(actor=None, risk_point=point, kind="ppe", level="post", content="佩戴防护手套",
                         responsible="李四")
    client.force_login(world.users["enterprise_a"])
    response = client.get(f"/risk/points/{point.pk}/cards/{kind}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    word = docx_text(card_docx(kind=kind, point=point, enterprise=ent, url="http://testserver/"))
    cells = _cells(page[page.index('data-testid="risk-card"'):])
    assert cells and all(line in word for cell in cells for line in cell.splitlines() if line)
    assert 'src="data:image/png;base64,' in page
    assert client.get(f"/risk/points/{point.pk}/cards/{kind}/?size=a6").status_code == 200


def test_the_printed_card_is_scoped(client: Client, world) -> None:
    point = make_point(world.enterprises["ent_a1"], "orange", name="轧钢机操作岗", kind="post")
    client.force_login(world.users["enterprise_b"])
    assert client.get(f"/risk/points/{point.pk}/cards/notice/").status_code == 404
    client.force_login(world.users["enterprise_a"])
    assert client.get(f"/risk/points/{point.pk}/cards/nonsense/").status_code == 404
