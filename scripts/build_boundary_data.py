"""Build orgs/data/xiangxiang-boundaries.geojson: SYNTHETIC township boundaries for the demo county.

The real boundaries of 湘乡市's townships are survey data the office holds (or obtains from 自然资源局 / 天地图); they
are not published in a reusable form, so the demo ships a stand-in the office replaces on the 辖区边界 page
(orgs:boundaries) with its own GeoJSON. The stand-in: each township and park gets a seat placed roughly where it lies
in the county (hand-placed, not surveyed), and its area is the Voronoi cell of that seat within a rough outline of
the county; every feature says ``synthetic: true`` and the loader marks the rows as demo data.

Voronoi cells are computed here by clipping the outline with the perpendicular-bisector half-plane of every other
seat (Sutherland–Hodgman): a dozen convex cells need no geometry library, and the output is a plain data file.

Run: .venv/bin/python scripts/build_boundary_data.py   (writes the file; the loader reads it)
"""

from __future__ import annotations

import json
import math
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "orgs" / "data" / "xiangxiang-boundaries.geojson"

# A rough outline of the county (lon, lat), counter-clockwise: a smoothed 16-gon around the city, wider east–west.
CENTRE = (112.45, 27.73)
OUTLINE = [(round(CENTRE[0] + 0.27 * math.cos(a) * (1 + 0.08 * math.sin(3 * a)), 6),
            round(CENTRE[1] + 0.19 * math.sin(a) * (1 + 0.06 * math.cos(2 * a)), 6))
           for a in (2 * math.pi * k / 16 for k in range(16))]

# Seats (lon, lat), hand-placed: the four subdistricts around the city centre, towns around them, the two parks.
SEATS = {
    "东山街道": (112.545, 27.742),
    "望春门街道": (112.522, 27.735),
    "新湘路街道": (112.530, 27.718),
    "昆仑桥街道": (112.552, 27.724),
    "山枣镇": (112.620, 27.800),
    "棋梓镇": (112.300, 27.700),
    "壶天镇": (112.290, 27.580),
    "月山镇": (112.450, 27.870),
    "泉塘镇": (112.600, 27.620),
    "龙洞镇": (112.300, 27.850),
    "湘乡经济开发区": (112.600, 27.730),
    "水府旅游区": (112.400, 27.620),
}


def clip(polygon: list[tuple[float, float]], a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """The part of ``polygon`` nearer to seat ``a`` than to seat ``b`` (one Sutherland–Hodgman pass)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def inside(p: tuple[float, float]) -> bool:
        return (p[0] - mx) * nx + (p[1] - my) * ny <= 0

    def cross(p: tuple[float, float], q: tuple[float, float]) -> tuple[float, float]:
        dp = (p[0] - mx) * nx + (p[1] - my) * ny
        dq = (q[0] - mx) * nx + (q[1] - my) * ny
        t = dp / (dp - dq)
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

    out: list[tuple[float, float]] = []
    for i, cur in enumerate(polygon):
        prev = polygon[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(cross(prev, cur))
            out.append(cur)
        elif inside(prev):
            out.append(cross(prev, cur))
    return out


def cell(name: str) -> list[list[float]]:
    polygon = list(OUTLINE)
    for other, seat in SEATS.items():
        if other != name:
            polygon = clip(polygon, SEATS[name], seat)
    ring = [[round(x, 6), round(y, 6)] for x, y in polygon]
    return ring + [ring[0]]


def main() -> None:
    features = [{"type": "Feature",
                 "properties": {"name": name, "synthetic": True},
                 "geometry": {"type": "Polygon", "coordinates": [cell(name)]}} for name in SEATS]
    data = {"type": "FeatureCollection",
            "note": "SYNTHETIC demo boundaries built by scripts/build_boundary_data.py (Voronoi cells of hand-placed "
                    "seats in a rough county outline). Not survey data: the office replaces them with its own.",
            "features": features}
    # One feature a line: readable diffs when the seats move, and small.
    lines = ",\n".join("  " + json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    head = json.dumps({k: v for k, v in data.items() if k != "features"}, ensure_ascii=False)[:-1]
    OUT.write_text(head + ',\n "features": [\n' + lines + "\n ]}\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(features)} features)")


if __name__ == "__main__":
    main()
