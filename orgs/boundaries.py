"""辖区边界: jurisdiction outlines as GeoJSON, read from a file the office uploads (or the shipped data file) and
drawn on the regulators' maps offline (no tile server needed).

``parse_collection`` reads a GeoJSON FeatureCollection into features or a list of problems, one per feature, in
Chinese; it never raises on bad input except ``ValidationError``. ``boundaries_save`` writes a whole collection
all or nothing, within the actor's territory, recorded in the change log. The GeoJSON is read here rather than
with a GIS library (GDAL/shapely): the platform only stores and draws outlines, and the checks it needs — shape,
coordinate ranges, closed rings, sizes — are a few lines, without a native dependency on an offline intranet.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from orgs.models import Boundary, Jurisdiction

DATA_FILE = Path(__file__).resolve().parent / "data" / "xiangxiang-boundaries.geojson"
MAX_BYTES = 5 * 1024 * 1024
MAX_FEATURES = 1000
MAX_VERTICES = 200_000  # over the whole file
LON_RANGE = (73.0, 136.0)  # China, as the enterprise coordinates are checked (enterprises.services)
LAT_RANGE = (3.0, 54.0)
NAME_KEYS = ("name", "名称", "NAME", "Name")
CODE_KEYS = ("code", "区划代码", "CODE", "adcode")


@dataclass
class Feature:
    index: int  # 1-based, as a person counts the features of the file
    name: str
    code: str
    geometry: dict[str, Any]
    vertices: int
    synthetic: bool = False
    jurisdiction: Jurisdiction | None = None


@dataclass
class Parsed:
    features: list[Feature] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _ring(ring: Any, where: str, problems: list[str]) -> list[list[float]] | None:
    if not isinstance(ring, list) or len(ring) < 3:
        problems.append(_("%(w)s：每个环至少要有 3 个点。") % {"w": where})
        return None
    points: list[list[float]] = []
    for point in ring:
        if (not isinstance(point, list) or len(point) < 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])):
            problems.append(_("%(w)s：坐标应为 [经度, 纬度] 数值对。") % {"w": where})
            return None
        lon, lat = float(point[0]), float(point[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            problems.append(_("%(w)s：坐标不是有限数值。") % {"w": where})
            return None
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            problems.append(_("%(w)s：坐标 %(lon)s, %(lat)s 不在中国境内（经度 73–136，纬度 3–54；请使用 WGS-84 经纬度，"
                              "不要使用投影坐标）。") % {"w": where, "lon": f"{lon:g}", "lat": f"{lat:g}"})
            return None
        points.append([round(lon, 7), round(lat, 7)])
    if points[0] != points[-1]:
        points.append(list(points[0]))  # GeoJSON rings are closed; many tools write them open
    if len(points) < 4:
        problems.append(_("%(w)s：每个环至少要有 3 个不同的点。") % {"w": where})
        return None
    return points


def _polygon(rings: Any, where: str, problems: list[str]) -> list[list[list[float]]] | None:
    if not isinstance(rings, list) or not rings:
        problems.append(_("%(w)s：多边形没有坐标。") % {"w": where})
        return None
    out = []
    for ring in rings:
        checked = _ring(ring, where, problems)
        if checked is None:
            return None
        out.append(checked)
    return out


def _geometry(geometry: Any, where: str, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(geometry, dict):
        problems.append(_("%(w)s：缺少边界几何（geometry）。") % {"w": where})
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygon = _polygon(coordinates, where, problems)
        return None if polygon is None else {"type": "Polygon", "coordinates": polygon}
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            problems.append(_("%(w)s：多边形没有坐标。") % {"w": where})
            return None
        polygons = []
        for rings in coordinates:
            polygon = _polygon(rings, where, problems)
            if polygon is None:
                return None
            polygons.append(polygon)
        return {"type": "MultiPolygon", "coordinates": polygons}
    problems.append(_("%(w)s：边界应为面（Polygon 或 MultiPolygon），不能是“%(t)s”。") % {"w": where, "t": str(kind)[:40]})
    return None


def _vertices(geometry: dict[str, Any]) -> int:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return sum(len(ring) for polygon in polygons for ring in polygon)


def _first(properties: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return str(value).strip()[:120]
    return ""


def parse_collection(raw: bytes) -> Parsed:
    """Read a GeoJSON FeatureCollection (UTF-8, a BOM allowed). Each feature names its jurisdiction by
    ``properties.code`` (区划代码) or ``properties.name`` (名称)."""
    parsed = Parsed()
    if len(raw) > MAX_BYTES:
        parsed.problems.append(_("文件超过 %(n)s MB，请简化边界后再上传。") % {"n": MAX_BYTES // (1024 * 1024)})
        return parsed
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=lambda name: None)
    except (UnicodeDecodeError, ValueError, RecursionError):
        parsed.problems.append(_("文件不是 UTF-8 编码的 GeoJSON（JSON）文件。"))
        return parsed
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        parsed.problems.append(_("文件应为 GeoJSON 的 FeatureCollection（要素集合）。"))
        return parsed
    features = data["features"]
    if not features:
        parsed.problems.append(_("文件中没有任何边界。"))
        return parsed
    if len(features) > MAX_FEATURES:
        parsed.problems.append(_("边界超过 %(n)s 个，请分批上传。") % {"n": MAX_FEATURES})
        return parsed
    total = 0
    for index, item in enumerate(features, start=1):
        properties = item.get("properties") if isinstance(item, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        name, code = _first(properties, NAME_KEYS), _first(properties, CODE_KEYS)
        where = _("第 %(i)s 个边界（%(n)s）") % {"i": index, "n": name or code or _("未命名")}
        if not (name or code):
            parsed.problems.append(_("%(w)s：属性中没有名称（name）或区划代码（code）。") % {"w": where})
            continue
        geometry = _geometry(item.get("geometry") if isinstance(item, dict) else None, where, parsed.problems)
        if geometry is None:
            continue
        count = _vertices(geometry)
        total += count
        parsed.features.append(Feature(index=index, name=name, code=code, geometry=geometry, vertices=count,
                                       synthetic=properties.get("synthetic") is True))
    if total > MAX_VERTICES:
        parsed.problems.append(_("顶点共 %(n)s 个，超过 %(max)s 个，请简化边界后再上传。") % {"n": total, "max": MAX_VERTICES})
    return parsed


def match_jurisdictions(parsed: Parsed, *, within: list[str] | None) -> None:
    """Find each feature's jurisdiction (by code, else by name; a name must be unique), within the given paths
    (None: anywhere). Problems are added to ``parsed``."""
    codes = [f.code for f in parsed.features if f.code]
    names = [f.name for f in parsed.features if f.name and not f.code]
    by_code = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    by_name: dict[str, list[Jurisdiction]] = {}
    for j in Jurisdiction.objects.filter(name__in=names):
        by_name.setdefault(j.name, []).append(j)
    seen: dict[int, int] = {}
    for feature in parsed.features:
        where = _("第 %(i)s 个边界（%(n)s）") % {"i": feature.index, "n": feature.name or feature.code}
        if feature.code:
            found = by_code.get(feature.code)
        else:
            candidates = by_name.get(feature.name, [])
            if len(candidates) > 1:
                parsed.problems.append(_("%(w)s：有多个名为“%(n)s”的行政区划，请在属性中写明区划代码（code）。")
                                       % {"w": where, "n": feature.name})
                continue
            found = candidates[0] if candidates else None
        if found is None or (within is not None and not any(found.path.startswith(p) for p in within)):
            parsed.problems.append(_("%(w)s：本辖区内没有这个行政区划。") % {"w": where})
            continue
        if found.pk in seen:
            parsed.problems.append(_("%(w)s：与第 %(j)s 个边界是同一个行政区划。") % {"w": where, "j": seen[found.pk]})
            continue
        seen[found.pk] = feature.index
        feature.jurisdiction = found


def _require_office(actor: Any) -> list[str] | None:
    """The paths the actor may draw boundaries in (None: anywhere, for loaders and commands)."""
    if actor is None:
        return None
    from accounts.choices import Role
    from core.scoping import scope_for

    if not actor.has_role(Role.OFFICE):
        raise PermissionDenied(_("只有安委办可以维护辖区边界。"))
    return list(scope_for(actor).territories)


@transaction.atomic
def boundaries_save(*, actor: Any, raw: bytes, source: str, keep_own: bool = False) -> tuple[list[Feature], list[str]]:
    """Store every boundary of a GeoJSON file, all or nothing. Returns (features written, problems); with problems
    nothing is written. ``keep_own``: leave boundaries that are not synthetic as they are (the shipped data file
    never overwrites the office's own)."""
    within = _require_office(actor)
    parsed = parse_collection(raw)
    if not parsed.problems:
        match_jurisdictions(parsed, within=within)
    if parsed.problems:
        return [], parsed.problems
    existing = {b.jurisdiction_id: b for b in Boundary.objects.select_for_update()
                .filter(jurisdiction__in=[f.jurisdiction for f in parsed.features])}
    written = []
    for feature in parsed.features:
        assert feature.jurisdiction is not None
        row = existing.get(feature.jurisdiction.pk)
        if row is not None and keep_own and not row.synthetic:
            continue
        if row is not None and row.geometry == feature.geometry and row.synthetic == feature.synthetic:
            continue
        before = {"vertices": row.vertices, "synthetic": row.synthetic, "source": row.source} if row else {}
        if row is None:
            row = Boundary(jurisdiction=feature.jurisdiction)
        row.geometry, row.vertices = feature.geometry, feature.vertices
        row.synthetic, row.source = feature.synthetic, source[:200]
        row.save()
        audit.record(action="orgs.boundary_save", obj=row,
                     changes=audit.diff(before, {"vertices": row.vertices, "synthetic": row.synthetic,
                                                 "source": row.source}))
        written.append(feature)
    return written, []


def load_shipped(path: Path | None = None) -> tuple[list[Feature], list[str]]:
    """The loader's entry: the shipped (synthetic) boundaries, never over the office's own."""
    path = path or DATA_FILE
    return boundaries_save(actor=None, raw=path.read_bytes(), source=path.name, keep_own=True)


def as_feature_collection(rows: Any) -> dict[str, Any]:
    """Boundaries as GeoJSON for the maps and the download (names as properties; drawn as text by the scripts)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": b.geometry,
         "properties": {"name": b.jurisdiction.name, "code": b.jurisdiction.code, "synthetic": b.synthetic}}
        for b in rows]}
