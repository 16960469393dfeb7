"""Convert Natural Earth's countries, as the world-atlas npm package's TopoJSON, into the world
map's data file (cooperation/world.json): one SVG path per country, projected and simplified.

Run once when the shapes should change, and commit the result; the site never downloads or
converts anything at run time. `make world-map` installs world-atlas and runs this; a test
converts the package again and compares, so the file is what this command makes of it.

The projection is Equal Earth (Šavrič, Patterson and Jenny, 2018): countries keep their true
relative areas. Shared borders are simplified once, arc by arc (TopoJSON's topology), so that
neighbours never gap or overlap; rings cut by the antimeridian (Russia, Fiji) are split into a
piece on each side. Antarctica is left out: no agreement is made with it and it would take a
sixth of the map.
"""

import json
import math
from itertools import pairwise
from pathlib import Path

from babel.core import get_global
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SOURCE = Path("node_modules/world-atlas/countries-50m.json")
OUTPUT = Path(settings.BASE_DIR) / "cooperation" / "world.json"
WIDTH = 960  # the map's width in SVG units; its height follows from the projection
TOLERANCE = 0.7  # how far (in those units) a simplified border may stray from the original
SMALL = 4  # a country narrower and lower than this gets a dot, so that it can be seen and hit
LEFT_OUT = {"010"}  # Antarctica

# Equal Earth's polynomial coefficients.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude, latitude):
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, -y  # SVG's y grows downwards


def decode_arcs(topology):
    """Each arc as runs of (longitude, latitude), cut where it jumps across the antimeridian."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        runs, run, previous = [], [], None
        for dx, dy in arc:
            x, y = x + dx, y + dy
            point = (x * sx + tx, y * sy + ty)
            if previous is not None and abs(point[0] - previous[0]) > 180:
                runs.append(run)
                run = []
            run.append(point)
            previous = point
        runs.append(run)
        arcs.append(runs)
    return arcs


def simplify(points, tolerance):
    """Douglas–Peucker: the fewest points that stay within `tolerance` of the line; the ends
    are kept, so that arcs still meet."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                d = abs(dy * (px - x1) - dx * (py - y1)) / length
            else:
                d = math.hypot(px - x1, py - y1)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def rings_of(geometry):
    if geometry.get("type") == "Polygon":
        return geometry["arcs"]
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def pieces(ring, arcs):
    """A ring's points, as one piece or, where the antimeridian cuts it, one per side."""
    result, current = [], []
    for index in ring:
        runs = arcs[index] if index >= 0 else [run[::-1] for run in arcs[~index][::-1]]
        for number, run in enumerate(runs):
            if number:
                result.append(current)
                current = []
            current.extend(run if not current else run[1:])
    if result:
        result[0] = current + result[0]  # the ring closes across its start
    else:
        result = [current]
    return [piece for piece in result if piece]


def path_data(rings):
    """Rings of points as SVG path data: absolute start, relative steps, one decimal."""
    parts = []
    for ring in rings:
        points = [(round(x * 10), round(y * 10)) for x, y in ring]
        steps = [points[0]]
        for point in points[1:]:
            if point != steps[-1]:
                steps.append(point)
        if steps[-1] == steps[0]:
            steps.pop()
        if len(steps) < 3:
            continue
        text = [f"M{_number(steps[0][0])} {_number(steps[0][1])}"]
        for (x1, y1), (x2, y2) in pairwise(steps):
            text.append(f"{_number(x2 - x1)} {_number(y2 - y1)}".replace(" -", "-"))
        parts.append(text[0] + "l" + " ".join(text[1:]).replace(" -", "-") + "z")
    return "".join(parts)


def _number(tenths):
    """Tenths as the shortest decimal: 12 → "1.2", -5 → "-.5", 30 → "3"."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def convert(topology, *, width=WIDTH, tolerance=TOLERANCE):
    """The map's data from a world-atlas topology: its size, and each country's code (ISO
    3166-1 alpha-2, from CLDR's numeric aliases), name, path and centre."""
    aliases = get_global("territory_aliases")
    geometries = [
        g
        for g in topology["objects"]["countries"]["geometries"]
        if g.get("id") not in LEFT_OUT and rings_of(g)
    ]
    arcs = decode_arcs(topology)
    # The projection's own units, then scaled so that the countries drawn span `width`.
    projected = [[[equal_earth(*p) for p in run] for run in runs] for runs in arcs]
    used = {abs(i if i >= 0 else ~i) for g in geometries for r in rings_of(g) for i in r}
    xs = [x for i in used for run in projected[i] for x, _ in run]
    ys = [y for i in used for run in projected[i] for _, y in run]
    scale = width / (max(xs) - min(xs))
    left, top = min(xs), min(ys)
    height = math.ceil((max(ys) - top) * scale)
    placed = [
        [
            simplify([((x - left) * scale, (y - top) * scale) for x, y in run], tolerance)
            for run in runs
        ]
        for runs in projected
    ]
    countries, others = [], []
    for geometry in geometries:
        rings = [piece for ring in rings_of(geometry) for piece in pieces(ring, placed)]
        if not rings:
            continue
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        # The centre of the largest piece, not of the bounding box (France's includes Guiana).
        largest = max(rings, key=_area)
        d = path_data(rings)
        record = {
            "name": geometry.get("properties", {}).get("name", ""),
            "d": d,
            "x": round(sum(x for x, _ in largest) / len(largest), 1),
            "y": round(sum(y for _, y in largest) / len(largest), 1),
            # An island too small to draw at this scale is still there, as a dot.
            "small": not d or (max(xs) - min(xs) < SMALL and max(ys) - min(ys) < SMALL),
        }
        codes = aliases.get(geometry.get("id") or "", [])
        if codes:
            countries.append({"code": codes[0], **record})
        else:
            others.append(record)  # Kosovo, Somaliland…: drawn, with no ISO code to link
    countries.sort(key=lambda c: c["code"])
    others.sort(key=lambda c: c["name"])
    return {"width": width, "height": height, "countries": countries, "others": others}


def _area(ring):
    closed = [*ring, ring[0]]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(closed)))


def dumps(data, source):
    """The data file: one country a line, so that a change of shapes reads as a diff."""
    head = {"source": source, "width": data["width"], "height": data["height"]}
    lines = ["{", *(f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items())]
    for key in ("countries", "others"):
        rows = [f"    {json.dumps(row, ensure_ascii=False)}" for row in data[key]]
        lines += [f'  "{key}": [', ",\n".join(rows), "  ]" + ("," if key == "countries" else "")]
    return "\n".join(lines) + "\n}\n"


class Command(BaseCommand):
    help = "Convert world-atlas's TopoJSON (Natural Earth) into the world map's data file."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=SOURCE, help="the TopoJSON file")
        parser.add_argument("--output", type=Path, default=OUTPUT, help="the data file to write")

    def handle(self, *args, source, output, **options):
        try:
            topology = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{source}: cannot read a TopoJSON file ({error})") from error
        package = source.parent / "package.json"
        version = ""
        if package.exists():
            version = " " + json.loads(package.read_text(encoding="utf-8")).get("version", "")
        data = convert(topology)
        output.write_text(dumps(data, f"world-atlas{version} {source.name}"), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"{output}: {len(data['countries'])} countries, {len(data['others'])} other "
                f"shapes, {data['width']}×{data['height']}, {output.stat().st_size:,} bytes"
            )
        )
