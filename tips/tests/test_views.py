"""Pages and API of the tips app: the public pages without an account, staff pages scoped (404 outside), the
API validated against the schema, and the reporter's identity in no page, API or export of a role that may not
see it."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from hazards.choices import Grade
from orgs.models import Domain
from tests.openapi import assert_matches_schema
from tests.personas import VISIBLE, World
from tips import services
from tips.models import Tip
from tips.tests.factories import NAME, PHONE, submit, to_replied, town

pytestmark = pytest.mark.django_db
PERSONAS = sorted(VISIBLE)
MAY_SEE = {"office", "regulator"}  # for a tip of 东山街道 assigned to 市应急管理局


def _challenge(html: str) -> tuple[str, str]:
    question = re.search(r'data-testid="tip-question">(\d+) \+ (\d+) = \?', html)
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert question and token
    return str(int(question[1]) + int(question[2])), token[1]


def _post_tip(client: Client, **extra: str) -> object:
    answer, token = _challenge(client.get("/tips/report/").content.decode())
    data = {"kind": "hazard", "description": "加油站旁边有人私自储存汽油，还在用电焊作业。",
            "jurisdiction": town().pk, "address": "东山街道建设路8号", "answer": answer, "token": token,
            "name": "张三丰", "phone": "13700001111", **extra}
    return client.post("/tips/report/", data)


def test_anyone_reports_without_an_account_and_follows_by_code(client: Client, world: World) -> None:
    assert client.get("/tips/report/").status_code == 200
    response = _post_tip(client)
    assert response.status_code == 200
    code = re.search(r'data-testid="tip-code">([A-Z2-7-]+)<', response.content.decode())[1]
    tip = services.tip_by_code(code)
    assert tip is not None and tip.jurisdiction == town()
    tip = to_replied(world, tip)
    page = client.post("/tips/track/", {"code": code.lower()}).content.decode()
    assert "已答复" in page and "已责令企业立即整改" in page
    # Nothing internal: not the verification record, not the handling unit.
    assert "钢瓶12只" not in page and "市应急管理局" not in page and "张三丰" not in page


def test_wrong_or_replayed_answer_is_refused_without_writing(client: Client, world: World) -> None:
    before = Tip.objects.count()
    answer, token = _challenge(client.get("/tips/report/").content.decode())
    data = {"kind": "hazard", "description": "十个字以上的举报内容描述", "jurisdiction": town().pk,
            "address": "地址", "answer": str(int(answer) + 1), "token": token}
    assert "验证答案不正确" in client.post("/tips/report/", data).content.decode()
    data["answer"] = answer
    assert client.post("/tips/report/", data).status_code == 200
    assert "验证答案不正确" in client.post("/tips/report/", data).content.decode()
    assert Tip.objects.count() == before + 1


@override_settings(ANZHI_TIPS_SUBMIT_PER_HOUR=2)
def test_rate_limit_per_address(client: Client, world: World) -> None:
    for _ in range(2):
        assert "tip-code" in _post_tip(client).content.decode()
    assert _post_tip(client).status_code == 429
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert "tip-code" in _post_tip(other).content.decode()


def test_oversized_body_is_refused_before_reading(client: Client, world: World) -> None:
    response = client.post("/tips/report/", data=b"x", content_type="application/octet-stream",
                           CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 413


@override_settings(ANZHI_TIPS_CODE_LOOKUP_PER_HOUR=3)
def test_lookups_limited_per_code(world: World) -> None:
    tip = submit(world)
    for i in range(3):
        assert Client(REMOTE_ADDR=f"10.1.1.{i}").post("/tips/track/", {"code": tip.code}).status_code == 200
    assert Client(REMOTE_ADDR="10.1.1.9").post("/tips/track/", {"code": tip.code}).status_code == 429


def test_poster_qr_points_to_the_prefilled_public_page(client: Client, world: World) -> None:
    client.force_login(world.users["township_a"])
    page = client.get(f"/tips/posters/township/{town().pk}/").content.decode()
    assert "data:image/svg+xml" in page and f"/tips/report/?j={town().pk}" in page
    assert client.get(f"/tips/posters/township/{town('山枣镇').pk}/").status_code == 404
    ent = world.enterprises["ent_a1"]
    assert client.get(f"/tips/posters/enterprise/{ent.pk}/").status_code == 200
    assert client.get(f"/tips/posters/enterprise/{world.enterprises['ent_b1'].pk}/").status_code == 404
    anonymous = Client().get(f"/tips/report/?e={ent.pk}").content.decode()
    assert ent.name in anonymous


def test_staff_detail_is_404_outside_scope(client: Client, world: World) -> None:
    tip = submit(world)
    for key in PERSONAS:
        client.force_login(world.users[key])
        status = client.get(f"/tips/{tip.pk}/").status_code
        if key in ("office", "township_a"):
            assert status == 200, key
        elif key in ("township_b", "regulator", "regulator_fire", "inspector"):
            assert status == 404, key
        else:
            assert status == 403, key


def test_list_page_queries_do_not_grow_with_rows(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    submit(world)
    client.get("/tips/")  # warm the caches (calendar, session) so that both counts see the same
    with CaptureQueriesContext(connection) as few:
        assert client.get("/tips/").status_code == 200
    for _ in range(5):
        to_replied(world, submit(world))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/tips/").status_code == 200
    assert len(many) == len(few)


def test_api_lists_and_reads_exactly_the_scope(client: Client, world: World) -> None:
    a, b = submit(world), submit(world, place="山枣镇")
    client.force_login(world.users["office"])
    response = client.get("/api/v1/tips/")
    assert response.status_code == 200
    assert_matches_schema(response)
    assert {a.pk, b.pk} <= {row["id"] for row in response.json()["results"]}
    detail = client.get(f"/api/v1/tips/{a.pk}/")
    assert_matches_schema(detail)
    client.force_login(world.users["township_b"])
    ids = {row["id"] for row in client.get("/api/v1/tips/").json()["results"]}
    assert b.pk in ids and a.pk not in ids
    assert client.get(f"/api/v1/tips/{a.pk}/").status_code == 404
    assert client.get("/api/v1/tips/", {"received": "2026-13"}).status_code == 200


def _pages(world: World, tip: Tip, other: Tip) -> list[str]:
    return ["/", "/tips/", "/tips/?export=xlsx", f"/tips/{tip.pk}/", f"/tips/{other.pk}/", "/tips/rewards/",
            "/tips/exposure/", "/tips/board/", "/api/v1/tips/", f"/api/v1/tips/{tip.pk}/",
            f"/hazards/{tip.hazard_id}/", "/hazards/", "/hazards/?export=xlsx", f"/api/v1/hazards/{tip.hazard_id}/",
            "/audit/events/", "/api/v1/audit/events/", "/notifications/"]


def _text(response: object) -> str:
    body = response.content  # type: ignore[attr-defined]
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):  # type: ignore[attr-defined]
        book = openpyxl.load_workbook(io.BytesIO(body))
        return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    return body.decode(errors="replace")


def test_reporter_identity_never_shown_to_a_role_that_may_not_see_it(client: Client, world: World) -> None:
    tip = to_replied(world, submit(world, enterprise=world.enterprises["ent_a1"]))
    services.tip_register_hazard(actor=world.user("regulator"), tip=tip, domain=Domain.objects.get(code="D12"),
                                 grade=Grade.GENERAL)
    tip.refresh_from_db()
    other = submit(world, place="山枣镇", name="另一举报人李四", phone="13800002222")
    services.exposure_publish(actor=world.user("office"), tip=tip, title="典型案例", summary=f"{NAME}举报的案例")
    for key in PERSONAS:
        client.force_login(world.users[key])
        for url in _pages(world, tip, other):
            text = _text(client.get(url))
            for secret in (NAME, PHONE, "李四", "13800002222"):
                assert secret not in text, (key, url, secret)
        reveal = client.post(f"/tips/{tip.pk}/identity/")
        shown = reveal.status_code == 200 and PHONE in reveal.content.decode()
        assert shown == (key in MAY_SEE), key
    anonymous = Client()
    for url in ("/tips/board/", "/tips/report/"):
        text = anonymous.get(url).content.decode()
        assert NAME not in text and PHONE not in text
    assert NAME[0] + "某" * (len(NAME) - 1) in anonymous.get("/tips/board/").content.decode()
