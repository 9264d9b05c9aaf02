from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hazards import services
from hazards.choices import Grade, Source, Status
from hazards.models import Hazard
from hazards.selectors import figures
from hazards.tests.factories import drive_to, enterprise_hazard, fill_plan, photo, place_hazard

pytestmark = pytest.mark.django_db

PERSONAS = ["office", "township_a", "township_b", "regulator", "regulator_fire", "enterprise_a", "enterprise_b",
            "inspector", "expert"]


def client_for(world, key: str) -> Client:
    client = Client()
    client.force_login(world.users[key])
    return client


def _several(world) -> dict[str, Hazard]:
    today = timezone.localdate()
    out = {
        "a1_general": enterprise_hazard(world, grade=Grade.GENERAL),
        "a1_major": enterprise_hazard(world, grade=Grade.MAJOR),
        "b1": enterprise_hazard(world, actor_key="enterprise_b", enterprise_key="ent_b1"),
        "a2_fire": enterprise_hazard(world, actor_key="township_a", enterprise_key="ent_a2", source=Source.GOVERNMENT,
                                     grade=Grade.GENERAL, deadline=today + dt.timedelta(days=3)),
        "road": place_hazard(world),
    }
    # one overdue, one rectified on time, one voided
    fill_plan(world, out["a1_general"], days=1)
    drive_to(world, out["a1_general"], Status.RECTIFYING)
    Hazard.objects.filter(pk=out["a1_general"].pk).update(deadline=today - dt.timedelta(days=2))
    b1 = out["b1"]
    services.hazard_attach(actor=world.user("enterprise_b"), hazard=b1, file=photo(), role="before")
    services.hazard_attach(actor=world.user("enterprise_b"), hazard=b1, file=photo(), role="after")
    services.hazard_transition(hazard=b1, to=Status.CLOSED, actor=world.user("enterprise_b"))
    services.hazard_transition(hazard=out["road"], to=Status.VOIDED, actor=world.user("township_a"), note="重复")
    return out


def test_list_shows_only_hazards_in_scope(world):
    hz = _several(world)
    expected = {
        "office": set(hz), "township_a": {"a1_general", "a1_major", "a2_fire", "road"}, "township_b": {"b1"},
        "regulator": {"a1_general", "a1_major", "b1", "road"}, "regulator_fire": {"a2_fire"},
        "enterprise_a": {"a1_general", "a1_major"}, "enterprise_b": {"b1"},
        "inspector": {"a1_general", "a1_major", "b1", "road"}, "expert": set(),
    }
    for key, names in expected.items():
        seen = set(Hazard.objects.visible_to(world.user(key)).values_list("pk", flat=True))
        assert seen == {hz[n].pk for n in names}, key
        client = client_for(world, key)
        for name, hazard in hz.items():
            status = client.get(f"/hazards/{hazard.pk}/").status_code
            assert status == (200 if name in names else 404), (key, name, status)


def test_figures_equal_direct_counts_for_every_persona(world):
    _several(world)
    today = timezone.localdate()
    for key in PERSONAS:
        user = world.user(key)
        mine = list(Hazard.objects.visible_to(user))
        figs = figures(Hazard.objects.visible_to(user), today)
        alive = [h for h in mine if h.status != Status.VOIDED]
        done = [h for h in mine if h.status in (Status.ACCEPTED, Status.CLOSED)]
        assert figs.total == len(alive), key
        assert figs.done == len(done), key
        assert figs.on_time == len([h for h in done if h.deadline is None or h.rectified_on <= h.deadline]), key
        assert figs.overdue == len([h for h in mine if h.is_overdue(today)]), key
        assert figs.major == len([h for h in alive if h.grade == Grade.MAJOR]), key
        assert figs.major_open == len([h for h in mine if h.grade == Grade.MAJOR and h.is_open]), key


def test_each_figure_links_to_exactly_the_hazards_counted(world):
    _several(world)
    client = client_for(world, "office")
    figs = figures(Hazard.objects.visible_to(world.user("office")))
    from hazards.views.lists import figure_links

    links = figure_links(figs)
    expected = {"rate": figs.done, "on_time": figs.on_time, "overdue": figs.overdue, "major": figs.major}
    for link in links:
        response = client.get(f"/hazards/{link['query']}")
        assert response.status_code == 200
        assert response.context["filter"].is_valid(), link
        assert response.context["page"].paginator.count == expected[link["key"]], link
    assert figs.overdue == 1 and figs.done == 1 and figs.major == 1
    assert client.get("/hazards/?state=valid").context["page"].paginator.count == figs.total


def test_list_page_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    for _ in range(12):
        enterprise_hazard(world, grade=Grade.MAJOR)
    client = client_for(world, "regulator")
    with django_assert_max_num_queries(14):
        response = client.get("/hazards/")
    assert response.status_code == 200 and response.context["page"].paginator.count >= 12
    with django_assert_max_num_queries(14):
        assert client.get("/hazards/board/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/hazards/clearance/").status_code == 200


def test_list_page_fetches_its_figures_apart(world, django_assert_max_num_queries):
    """The list answers without counting the figures; it fetches them once shown (the cards, 4 figures)."""
    from hazards.tally import rebuild

    _several(world)
    rebuild()  # _several moves a deadline by a bare update (no service): recount, as bulk tools do
    client = client_for(world, "office")
    with django_assert_max_num_queries(14) as list_queries:
        page = client.get("/hazards/").content.decode()
    assert 'hx-get="/hazards/figures/cards/"' in page and 'data-testid="figure-overdue-value"' not in page
    # The figures are not computed with the page; its one read of the counts is the list's own total (one SUM).
    tally_reads = [q["sql"] for q in list_queries.captured_queries if "hazardtally" in q["sql"] or "hazarddue" in q["sql"]]
    assert len(tally_reads) == 1 and "hazarddue" not in tally_reads[0], tally_reads
    cards = client.get("/hazards/figures/cards/").content.decode()
    figs = figures(Hazard.objects.visible_to(world.user("office")))
    assert f"figure-overdue-value\">{figs.overdue}<" in cards.replace(" text-danger", ""), cards
    assert "<html" not in cards
    assert client_for(world, "sysadmin").get("/hazards/figures/cards/").status_code in (403, 404)
    assert Client().get("/hazards/figures/cards/").status_code == 302  # to the login page


def test_htmx_partial_and_xlsx_export(world):
    _several(world)
    client = client_for(world, "township_a")
    response = client.get("/hazards/?grade=major", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    response = client.get("/hazards/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert len(rows) - 1 == Hazard.objects.visible_to(world.user("township_a")).count()


def test_enterprise_registers_with_a_photo_from_the_phone_form(world):
    client = client_for(world, "enterprise_a")
    page = client.get("/hazards/new/")
    assert b'capture="environment"' in page.content and b'accept="image/*"' in page.content
    assert b'name="status"' not in page.content
    response = client.post("/hazards/new/", {"description": "消防通道堵塞", "source": "self", "category": "thing",
                                             "grade": "general", "photos": photo()})
    hazard = Hazard.objects.get(description="消防通道堵塞")
    assert response.status_code == 302 and response["Location"] == f"/hazards/{hazard.pk}/"
    assert hazard.enterprise == world.enterprises["ent_a1"] and hazard.status == Status.ASSESSED
    detail = client.get(f"/hazards/{hazard.pk}/")
    assert "整改前" in detail.content.decode() and "/files/" in detail.content.decode()


def test_registration_form_rejects_a_renamed_file(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world, "enterprise_a")
    fake = SimpleUploadedFile("evil.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post("/hazards/new/", {"description": "x", "source": "self", "category": "thing",
                                             "photos": fake})
    assert response.status_code == 200 and "不是允许的类型" in response.content.decode()
    assert not Hazard.objects.filter(description="x").exists()


def test_moves_through_the_page_and_refusals_are_explained(world):
    hazard = enterprise_hazard(world, grade=Grade.GENERAL)
    client = client_for(world, "enterprise_a")
    response = client.post(f"/hazards/{hazard.pk}/move/", {"to": "planned"}, follow=True)
    assert "整改方案" in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == Status.ASSESSED
    fill_plan(world, hazard)
    client.post(f"/hazards/{hazard.pk}/move/", {"to": "planned"})
    assert Hazard.objects.get(pk=hazard.pk).status == Status.PLANNED
    # another township cannot even see it
    assert client_for(world, "township_b").post(f"/hazards/{hazard.pk}/move/", {"to": "voided", "note": "x"}
                                                ).status_code == 404


def test_closed_hazard_cannot_be_edited_on_the_page(world):
    hazard = enterprise_hazard(world)
    services.hazard_transition(hazard=hazard, to=Status.VOIDED, actor=world.user("township_a"), note="误报")
    client = client_for(world, "township_a")
    response = client.post(f"/hazards/{hazard.pk}/edit/", {"description": "改", "category": "thing"})
    assert response.status_code == 302
    assert Hazard.objects.get(pk=hazard.pk).description != "改"


def test_pages_render(world):
    hz = _several(world)
    for key in ("office", "regulator", "township_a", "enterprise_a"):
        client = client_for(world, key)
        for url in ("/hazards/", "/hazards/new/", "/hazards/figures/", "/hazards/board/", "/hazards/clearance/",
                    "/hazards/statistics/"):
            assert client.get(url).status_code == 200, (key, url)
        assert client.get("/hazards/bulletins/").status_code == (403 if key == "enterprise_a" else 200)
    client = client_for(world, "enterprise_a")
    assert client.get(f"/hazards/{hz['a1_major'].pk}/plan/").status_code == 200
    assert client.get("/hazards/statistics/notice/").status_code == 200


def test_system_accounts_see_no_hazards(world):
    enterprise_hazard(world)
    for key in ("sysadmin", "auditadmin"):
        assert client_for(world, key).get("/hazards/").status_code == 403
