"""Searchable pickers (core.pickers): the options carry pinyin keys, the remote endpoint answers only what
the user may see, and a form still refuses an enterprise outside the user's scope."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client

from core.pickers import MultiPicker, Picker, picker_sources
from enterprises.models import Enterprise
from orgs.models import Unit
from tests.personas import World

pytestmark = pytest.mark.django_db


def _pick(client: Client, q: str, key: str = "enterprises") -> list[dict[str, str]]:
    response = client.get(f"/pick/{key}/", {"q": q})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/json")
    return response.json()["results"]


def test_enterprise_source_is_registered() -> None:
    assert picker_sources()["enterprises"].model is Enterprise


def test_pinyin_initials_find_enterprises_within_scope_only(client: Client, world: World) -> None:
    a1, a2, b1 = (world.enterprises[k] for k in ("ent_a1", "ent_a2", "ent_b1"))
    client.force_login(world.users["township_a"])
    found = {r["value"] for r in _pick(client, "dscs")}  # 东山测试…
    assert found == {str(a1.pk), str(a2.pk)}
    assert {r["value"] for r in _pick(client, "sz")} == set()  # 山枣… lies in township B
    assert {r["value"] for r in _pick(client, b1.credit_code)} == set()
    row = _pick(client, "dscsgt")[0]
    assert row == {"value": str(a1.pk), "text": a1.name, "search": row["search"]}
    assert "dscsgtyxgs" in row["search"]
    client.force_login(world.users["township_b"])
    assert {r["value"] for r in _pick(client, "sz")} == {str(b1.pk), str(world.enterprises["ent_b2"].pk)}
    assert {r["value"] for r in _pick(client, "")} == {str(b1.pk), str(world.enterprises["ent_b2"].pk)}


def test_enterprise_account_picks_only_its_own(client: Client, world: World) -> None:
    client.force_login(world.users["enterprise_a"])
    assert {r["value"] for r in _pick(client, "")} == {str(world.enterprises["ent_a1"].pk)}


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "=HYPERLINK(\"x\")", "\x07", "a" * 5000, "%", "'; --",
                               "\u202e", "９９"])
def test_hostile_text_is_an_empty_answer_never_an_error(client: Client, world: World, q: str) -> None:
    client.force_login(world.users["office"])
    assert isinstance(_pick(client, q), list)


def test_endpoint_refuses_unknown_sources_outsiders_and_system_roles(client: Client, world: World) -> None:
    assert client.get("/pick/enterprises/").status_code == 302  # to the login page
    client.force_login(world.users["sysadmin"])
    assert client.get("/pick/enterprises/").status_code == 403
    client.force_login(world.users["office"])
    assert client.get("/pick/users/").status_code == 404
    assert client.get("/pick/enterprises/?q=%00").status_code == 400  # as every NUL in a query string


def test_picker_options_carry_pinyin_keys() -> None:
    class Form(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.filter(name="东山街道"), widget=Picker())
        units = forms.ModelMultipleChoiceField(queryset=Unit.objects.filter(name="东山街道"), widget=MultiPicker())

    html = str(Form()["unit"]) + str(Form()["units"])
    assert html.count("data-picker ") + html.count('data-picker=""') == 2
    assert re.search(r'data-search="[^"]*dongshanjiedao[^"]*dsjd', html), html
    assert "data-picker-url" not in html


def test_remote_picker_renders_only_the_chosen_enterprise_in_scope(world: World) -> None:
    from hazards.forms import HazardRegisterForm

    user = world.user("township_a")
    a1, a2, b1 = (world.enterprises[k] for k in ("ent_a1", "ent_a2", "ent_b1"))
    html = str(HazardRegisterForm(user=user)["enterprise"])
    assert 'data-picker-url="/pick/enterprises/"' in html
    assert a1.name not in html and a2.name not in html  # asked for as one types, not listed
    chosen = HazardRegisterForm({"enterprise": str(a1.pk)}, user=user)
    html = str(chosen["enterprise"])
    assert a1.name in html and "selected" in html and a2.name not in html
    # An enterprise outside the township is neither rendered nor accepted.
    outside = HazardRegisterForm({"enterprise": str(b1.pk), "description": "x", "source": "self"}, user=user)
    assert b1.name not in str(outside["enterprise"])
    assert not outside.is_valid() and "enterprise" in outside.errors
    for hostile in ("99999999999999999999", "abc", "-1", str(b1.pk)):
        assert str(HazardRegisterForm({"enterprise": hostile}, user=user)["enterprise"]).count("<option") == 1


def test_a_long_directory_is_asked_for_with_exactly_its_fields_choices(monkeypatch, client: Client,
                                                                      world: World) -> None:
    """A province's directory (tens of thousands of villages, thousands of units) is not rendered into every
    filter: past ``WHOLE`` choices the field is asked for as one types, and the endpoint offers the field's own
    choices (a department field no township, a township field no village)."""
    from core import pickers
    from orgs.choices import UnitKind
    from orgs.models import Jurisdiction

    client.force_login(world.user("office"))
    whole = client.get("/enterprises/").content.decode()
    assert 'data-picker-url="/pick/departments/"' not in whole and "市应急管理局" in whole  # a county: whole
    monkeypatch.setattr(pickers, "WHOLE", 3)
    page = client.get("/enterprises/").content.decode()
    assert re.findall(r'data-picker-url="([^"]+)"', page) == ["/pick/jurisdictions/", "/pick/departments/"]
    assert "市应急管理局" not in page  # not rendered: asked for
    chosen = Unit.objects.get(name="市应急管理局")
    assert f'value="{chosen.pk}" selected' in client.get("/enterprises/", {"department": chosen.pk}).content.decode()
    found = client.get("/pick/departments/", {"q": "局"}).json()["results"]
    assert found and all(Unit.objects.get(pk=int(r["value"])).kind == UnitKind.DEPARTMENT for r in found)
    townships = client.get("/pick/townships/", {"q": "东山"}).json()["results"]
    assert {r["text"] for r in townships} == set(Jurisdiction.objects.filter(depth=1, name__contains="东山")
                                                 .values_list("name", flat=True))
    # The forms' unit fields, by their choices (kwargs in any order, select_related ignored).
    assert pickers.directory_source(Unit.objects.filter(active=True)) == "active_units"
    assert pickers.directory_source(Unit.objects.filter(collective=False, active=True).select_related("jurisdiction")) \
        == "working_units"
    field = Jurisdiction.objects.filter(level="village")  # no source gives exactly this: stays whole
    assert pickers.directory_source(field) is None and pickers.directory_source(Jurisdiction.objects.all())


def test_a_long_territory_field_is_asked_for_within_ones_own_territory(monkeypatch, client: Client,
                                                                        world: World) -> None:
    from core import pickers
    from orgs.models import Jurisdiction

    monkeypatch.setattr(pickers, "WHOLE", 1)
    client.force_login(world.user("township_a"))
    form = client.get("/enterprises/new/").content.decode()
    assert 'data-picker-url="/pick/territory/"' in form
    own = Jurisdiction.objects.get(name="东山街道")
    offered = {r["text"] for r in client.get("/pick/territory/").json()["results"]}
    assert offered and offered <= set(Jurisdiction.objects.filter(path__startswith=own.path).values_list("name", flat=True))
    assert "山枣镇" not in offered
