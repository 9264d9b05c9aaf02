"""辖区边界 (issue 14 item 7): township outlines shipped as data the office replaces, drawn on the regulators' map
offline. The parser refuses what is not a polygon in China in WGS-84 and says where, in Chinese; an upload is
all or nothing within the office's territory; the shipped file never overwrites the office's own."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from core.audit import Source, audit_context
from core.models import ChangeEvent
from orgs.boundaries import DATA_FILE, load_shipped, parse_collection
from orgs.models import Boundary, Jurisdiction
from tests.personas import World

SQUARE = [[112.50, 27.70], [112.56, 27.70], [112.56, 27.76], [112.50, 27.76], [112.50, 27.70]]


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def feature(name: str = "", code: str = "", ring: list[list[float]] | None = None, kind: str = "Polygon",
            coordinates: Any = None) -> dict[str, Any]:
    props = {k: v for k, v in (("name", name), ("code", code)) if v}
    return {"type": "Feature", "properties": props,
            "geometry": {"type": kind, "coordinates": coordinates if coordinates is not None else [ring or SQUARE]}}


def test_the_shipped_file_reads_without_a_problem_and_every_feature_names_a_loaded_jurisdiction(world: World) -> None:
    parsed = parse_collection(DATA_FILE.read_bytes())
    assert parsed.problems == []
    names = {f.name for f in parsed.features}
    assert len(names) == 12 and all(f.synthetic for f in parsed.features)
    assert set(Jurisdiction.objects.filter(name__in=names).values_list("name", flat=True)) == names


def test_bad_files_are_refused_with_a_chinese_reason_naming_the_feature() -> None:
    assert "GeoJSON" in parse_collection(b"\xff\xfe not json").problems[0]
    assert "FeatureCollection" in parse_collection(b'{"type": "Feature"}').problems[0]
    projected = [[12520000.0, 3210000.0], [12530000.0, 3210000.0], [12530000.0, 3220000.0], [12520000.0, 3210000.0]]
    problems = parse_collection(collection(feature("东山街道"), feature("山枣镇", ring=projected))).problems
    assert len(problems) == 1 and "第 2 个边界（山枣镇）" in problems[0] and "WGS-84" in problems[0]
    line = parse_collection(collection(feature("东山街道", kind="LineString", coordinates=SQUARE))).problems
    assert "LineString" in line[0]
    nan = parse_collection(b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},'
                           b'"geometry":{"type":"Polygon","coordinates":[[[NaN,1],[1,1],[1,2],[NaN,1]]]}}]}').problems
    assert nan and "坐标" in nan[0]
    booleans = parse_collection(collection(feature("x", ring=[[True, 27.7], [112.5, 27.7], [112.5, 27.8]]))).problems
    assert booleans and "数值" in booleans[0]
    assert "名称" in parse_collection(collection(feature())).problems[0]
    deep = b'{"type":"FeatureCollection","features":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert parse_collection(deep).problems


def test_an_open_ring_is_closed_as_gis_tools_often_write_it() -> None:
    parsed = parse_collection(collection(feature("东山街道", ring=SQUARE[:-1])))
    assert parsed.problems == []
    ring = parsed.features[0].geometry["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5


json_values = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=4), max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    json_values.map(lambda v: {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"},
                                                                          "geometry": {"type": "Polygon", "coordinates": v}}]}),
    json_values.map(lambda v: {"type": "FeatureCollection", "features": v}),
    json_values))
def test_the_parser_never_raises_and_either_refuses_or_returns_closed_rings_in_china(value: Any) -> None:
    parsed = parse_collection(json.dumps(value, allow_nan=True).encode())
    if parsed.problems:
        return
    for f in parsed.features:
        polygons = [f.geometry["coordinates"]] if f.geometry["type"] == "Polygon" else f.geometry["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(73 <= x <= 136 and 3 <= y <= 54 for x, y in ring)


def _upload(client: Client, body: bytes, name: str = "边界.geojson") -> Any:
    return client.post("/orgs/boundaries/", {"file": SimpleUploadedFile(name, body, content_type="application/json")})


def test_the_office_replaces_boundaries_all_or_nothing_within_its_territory(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    # One good feature and one naming a place that does not exist: nothing is written, both are reported.
    response = _upload(client, collection(feature("东山街道"), feature("不存在镇")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有保存任何边界" in html and "第 2 个边界（不存在镇）" in html
    assert not Boundary.objects.exists()
    # A whole good file is saved, recorded from the web with who and what.
    response = _upload(client, collection(feature("东山街道"), feature(code=Jurisdiction.objects.get(name="山枣镇").code)))
    assert response.status_code == 302
    assert set(Boundary.objects.values_list("jurisdiction__name", flat=True)) == {"东山街道", "山枣镇"}
    event = ChangeEvent.objects.filter(action="orgs.boundary_save").latest("seq")
    assert event.source == Source.WEB and event.actor_id == world.users["office"].pk
    page = client.get("/orgs/boundaries/").content.decode()
    assert "东山街道" in page and "边界.geojson" in page
    download = client.get("/orgs/boundaries/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/geo+json"
    assert {f["properties"]["name"] for f in json.loads(download.content)["features"]} == {"东山街道", "山枣镇"}


def test_only_the_office_maintains_boundaries(client: Client, world: World) -> None:
    for persona in ("township_a", "regulator", "enterprise_a", "sysadmin"):
        client.force_login(world.users[persona])
        assert client.get("/orgs/boundaries/").status_code == 403, persona
        assert _upload(client, collection(feature("东山街道"))).status_code == 403, persona
    assert not Boundary.objects.exists()


def test_the_shipped_file_never_overwrites_the_offices_own(client: Client, world: World) -> None:
    client.force_login(world.users["office"])
    assert _upload(client, collection(feature("东山街道"))).status_code == 302
    with audit_context(source=Source.COMMAND):
        written, problems = load_shipped()
    assert problems == [] and len(written) == 11
    own = Boundary.objects.get(jurisdiction__name="东山街道")
    assert own.synthetic is False and own.geometry["coordinates"][0] == SQUARE
    with audit_context(source=Source.COMMAND):
        assert load_shipped() == ([], [])  # idempotent


def test_each_regulator_map_draws_the_boundaries_of_its_own_territory(client: Client, world: World) -> None:
    with audit_context(source=Source.COMMAND):
        load_shipped()

    def drawn(persona: str) -> set[str]:
        client.force_login(world.users[persona])
        html = client.get("/risk/map/").content.decode()
        start = html.index('<script id="map-boundaries" type="application/json">') + len(
            '<script id="map-boundaries" type="application/json">')
        data = json.loads(html[start:html.index("</script>", start)])
        return {f["properties"]["name"] for f in data["features"]}

    assert len(drawn("office")) == 12
    assert drawn("township_a") == {"东山街道"}
    assert "山枣镇" in drawn("regulator")
    assert drawn("enterprise_a") == set()
