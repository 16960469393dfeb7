"""Geometry for the server-rendered SVG charts: timelines by year, the cooperation network and
the world map."""

import json
import math
import textwrap
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from django.utils.translation import get_language, gettext


@dataclass
class Bar:
    year: int
    series: int
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Timeline:
    """Bars per year, one colour per series, years without records included at zero, a value
    axis, and year labels spaced so that no two can touch."""

    title: str
    series: list
    bars: list
    labels: list  # (x, year) of the years written under the axis
    width: float
    height: float
    axis_y: float
    rows: list  # (year, count per series) for the table that says the same in words
    undated: list = field(default_factory=list)  # per series: records with no known year
    ticks: list = field(default_factory=list)  # (y, count, baseline) of the value axis
    left: float = 0  # where the plot starts, right of the value axis

    @property
    def series_text(self):
        """The series' names as a phrase: "agreements and events"."""
        return f" {gettext('and')} ".join(str(name) for name in self.series)


# A year written under the axis, at the tick's 10 px (a four-digit year measures about 25 px in
# Chromium's sans-serif), and the space kept between two labels.
LABEL_WIDTH, LABEL_GAP = 26, 8
# Label every year, or every 2nd, 5th, 10th…: the first step whose labels cannot touch.
STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


def label_step(slot):
    return next(step for step in STEPS if step * slot >= LABEL_WIDTH + LABEL_GAP)


def timeline(title, series, *, chart_height=150, slot=None):
    """series: [(name, [(year or None, count), …]), …] → a Timeline; None if nothing is dated.
    A span of up to 16 years gets slots wide enough for every year's label; a longer one,
    narrower slots and a label every few years."""
    counts = [{year: n for year, n in pairs if year is not None} for _, pairs in series]
    undated = [sum(n for year, n in pairs if year is None) for _, pairs in series]
    years = sorted({year for each in counts for year in each})
    if not years:
        return None
    all_years = list(range(years[0], years[-1] + 1))
    if slot is None:
        slot = LABEL_WIDTH + LABEL_GAP if len(all_years) <= 16 else 26
    peak = max(max(each.values(), default=0) for each in counts) or 1
    top, bottom, left = 12, 22, 34
    plot = chart_height - top - bottom
    bar_width = (slot - 6) / len(series)
    bars = []
    for index, year in enumerate(all_years):
        for number, each in enumerate(counts):
            count = each.get(year, 0)
            if not count:
                continue
            height = max(2.0, plot * count / peak)
            x = left + 3 + index * slot + number * bar_width
            bars.append(
                Bar(
                    year,
                    number,
                    count,
                    round(x, 1),
                    round(top + plot - height, 1),
                    round(bar_width, 1),
                    round(height, 1),
                )
            )
    labels = [
        (round(left + index * slot + slot / 2, 1), year)
        for index, year in _labelled(all_years, slot)
    ]
    ticks = []
    for value in _values(peak):
        y = round(top + plot - plot * value / peak, 1)
        ticks.append((y, value, round(y + 3.5, 1)))  # the line, and its number's baseline
    rows = [(year, [each.get(year, 0) for each in counts]) for year in years]
    return Timeline(
        title=title,
        series=[name for name, _ in series],
        bars=bars,
        labels=labels,
        width=left + len(all_years) * slot + 8,
        height=chart_height,
        axis_y=top + plot,
        rows=rows,
        undated=undated,
        ticks=ticks,
        left=left,
    )


def _labelled(all_years, slot):
    """(index, year) of the years to write: every step-th (round years), and the first and the
    last when they do not come too close to those."""
    step = label_step(slot)
    pitch = (LABEL_WIDTH + LABEL_GAP) / slot  # the fewest slots between two labels' centres
    chosen = [i for i, year in enumerate(all_years) if year % step == 0]
    for end in (0, len(all_years) - 1):
        if all(abs(end - i) >= pitch for i in chosen):
            chosen.append(end)
    return [(i, all_years[i]) for i in sorted(set(chosen))]


def _values(peak):
    """The value axis's marks: 0, the peak, and a round value between when there is room."""
    return [0, peak // 2, peak] if peak >= 4 else [0, peak]


@dataclass
class Node:
    key: object
    slug: str
    label: str  # the acronym where there is one, else the name, whole
    name: str
    degree: int  # agreements the organisation is party to
    x: float = 0
    y: float = 0
    r: float = 4
    label_x: float = 0
    label_y: float = 0
    anchor: str = "middle"
    lines: list = field(default_factory=list)  # the label, wrapped: (dy, text)


@dataclass
class Link:
    source: Node
    target: Node
    weight: int  # agreements both are party to
    width: float = 1
    bend: tuple = None  # the control point of a curve that goes round a node, or None

    @property
    def d(self):
        start, end = (self.source.x, self.source.y), (self.target.x, self.target.y)
        if self.bend is None:
            return f"M{start[0]} {start[1]}L{end[0]} {end[1]}"
        return f"M{start[0]} {start[1]}Q{self.bend[0]} {self.bend[1]} {end[0]} {end[1]}"

    def points(self, steps=32):
        """Points along the line, for the layout's (and the tests') clearance checks."""
        (x1, y1), (x2, y2) = (self.source.x, self.source.y), (self.target.x, self.target.y)
        cx, cy = self.bend or ((x1 + x2) / 2, (y1 + y2) / 2)
        for step in range(steps + 1):
            t = step / steps
            yield (
                (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t * t * x2,
                (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t * t * y2,
            )

    @property
    def url(self):
        """The agreements both are party to."""
        from .filters import browser_url

        return browser_url(agency=[self.source.slug, self.target.slug], match="all")


@dataclass
class Network:
    nodes: list
    links: list  # the ones drawn: the strongest
    size: float
    margin: float = 0  # room on each side for the labels
    table: list = field(default_factory=list)  # every Link of the organisations shown
    ranked: int = 0  # organisations party to any agreement, shown or not

    @property
    def view_box(self):
        return f"{-self.margin} 0 {self.size + 2 * self.margin} {self.size}"

    @property
    def partial(self):
        return self.some_nodes or self.some_links

    @property
    def some_nodes(self):
        return self.ranked > len(self.nodes)

    @property
    def some_links(self):
        return len(self.table) > len(self.links)


LABEL_LINE = 18  # characters of a label's line: a long name is wrapped, never cut
GAP = 3  # the least room between a line and a node it does not join


def network(agencies, pairs, *, ranked=0, size=560, most_links=60):
    """agencies: [(key, slug, label, name, agreements)], in the order of the circle (partners
    side by side); pairs: [(key, key, shared agreements)]. The organisation joined to most of
    the others is drawn in the centre, the rest on a circle; a line that would cross a node it
    does not join bends round it. The `most_links` strongest lines are drawn, every pair is in
    the table."""
    if not agencies:
        return None
    nodes = {key: Node(key, slug, label, name, n) for key, slug, label, name, n in agencies}
    links = [
        Link(nodes[a], nodes[b], weight) for a, b, weight in pairs if a in nodes and b in nodes
    ]
    links.sort(key=lambda link: (-link.weight, link.source.label, link.target.label))
    peak = max(node.degree for node in nodes.values()) or 1
    for node in nodes.values():
        node.r = round(4 + 8 * math.sqrt(node.degree / peak), 1)
    centre = size / 2
    ring = list(nodes.values())
    hub = _hub(ring, links)
    if hub is not None:
        ring.remove(hub)
        hub.x = hub.y = centre
        hub.lines = [(0 if i == 0 else 13, line) for i, line in enumerate(_wrapped(hub.label))]
        hub.label_x, hub.label_y, hub.anchor = centre, round(centre + hub.r + 13, 1), "middle"
    radius = size / 2 - 60
    for index, node in enumerate(ring):
        angle = 2 * math.pi * index / len(ring) - math.pi / 2
        cos, sin = math.cos(angle), math.sin(angle)
        node.x, node.y = round(centre + radius * cos, 1), round(centre + radius * sin, 1)
        _place_label(node, cos, sin)
    drawn = links[:most_links]
    heaviest = drawn[0].weight if drawn else 1
    for link in drawn:
        link.width = round(1 + 4 * link.weight / heaviest, 1)
        link.bend = _detour(link, nodes.values())
    return Network(list(nodes.values()), drawn, size, 130, links, max(ranked, len(nodes)))


def _hub(nodes, links):
    """The organisation joined to at least half of the others, if one is: the centre."""
    if len(nodes) < 4:
        return None
    partners = {}
    for link in links:
        partners.setdefault(link.source.key, set()).add(link.target.key)
        partners.setdefault(link.target.key, set()).add(link.source.key)
    best = max(nodes, key=lambda node: (len(partners.get(node.key, ())), node.degree))
    return best if len(partners.get(best.key, ())) * 2 >= len(nodes) - 1 else None


def _wrapped(label):
    return textwrap.wrap(label, LABEL_LINE, break_long_words=False) or [label]


def _place_label(node, cos, sin):
    """The label outside the circle, beside its node, its lines stacked away from it."""
    lines = _wrapped(node.label)
    distance = node.r + 5
    node.anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
    node.label_x = round(node.x + distance * cos, 1)
    height = 13 * (len(lines) - 1)
    if node.anchor == "middle":  # above or below the node: grow away from it
        first = node.y + distance * sin + (4 - height if sin < 0 else 10)
    else:
        first = node.y + distance * sin + 4 - height / 2
    node.label_y = round(first, 1)
    node.lines = [(0 if i == 0 else 13, line) for i, line in enumerate(lines)]


def _clearance(link, nodes):
    """How far the line keeps from the nodes it does not join, beyond their edge (the least)."""
    others = [n for n in nodes if n is not link.source and n is not link.target]
    if not others:
        return math.inf
    return min(
        math.hypot(x - n.x, y - n.y) - n.r - link.width / 2
        for x, y in link.points()
        for n in others
    )


def _detour(link, nodes):
    """None if the straight line keeps clear of every other node; else the control point of
    the gentlest curve that does (or, failing that, of the one that comes least close)."""
    link.bend = None
    if _clearance(link, nodes) >= GAP:
        return None
    (x1, y1), (x2, y2) = (link.source.x, link.source.y), (link.target.x, link.target.y)
    length = math.hypot(x2 - x1, y2 - y1) or 1
    normal = (-(y2 - y1) / length, (x2 - x1) / length)
    middle = ((x1 + x2) / 2, (y1 + y2) / 2)
    best, best_clearance = None, -math.inf
    for offset in range(20, 241, 20):
        for sign in (1, -1):
            link.bend = (
                round(middle[0] + sign * offset * normal[0], 1),
                round(middle[1] + sign * offset * normal[1], 1),
            )
            clearance = _clearance(link, nodes)
            if clearance >= GAP:
                return link.bend
            if clearance > best_clearance:
                best, best_clearance = link.bend, clearance
    return best


# The world map: Natural Earth's countries, converted once by `manage.py build_world_map`.
WORLD = Path(__file__).with_name("world.json")
# The lower bounds of the colour classes are taken from these, scaled by powers of ten.
NICE = (1, 2, 3, 5)
CLASSES = 5


@lru_cache(maxsize=1)
def world():
    return json.loads(WORLD.read_text(encoding="utf-8"))


@dataclass
class Shape:
    code: str
    name: str
    d: str
    x: float
    y: float
    small: bool
    count: int = 0
    level: int = 0  # the colour class; 0 for none
    url: str = ""
    chosen: bool = False


@dataclass
class WorldMap:
    """Every country coloured by its number of agreements, in classes, each with a link to
    its list; `within` are the browser's parameters that every link keeps."""

    title: str
    counts: dict  # {ISO code: agreements}
    names: dict = field(default_factory=dict)  # {ISO code: the catalogue's name}
    within: list = field(default_factory=list)
    chosen: frozenset = frozenset()
    linked: frozenset = None  # the countries that are links; None: every one with agreements

    @property
    def width(self):
        return world()["width"]

    @property
    def height(self):
        return world()["height"]

    @cached_property
    def bounds(self):
        return class_bounds(max(self.counts.values(), default=0))

    def level(self, count):
        return sum(1 for bound in self.bounds if count >= bound)

    @property
    def legend(self):
        """(level, label) of each class, "none" first: "1", "2–4", "5–14"."""
        bounds, peak = self.bounds, max(self.counts.values(), default=0)
        labels = [(0, gettext("none"))]
        for index, low in enumerate(bounds):
            high = bounds[index + 1] - 1 if index + 1 < len(bounds) else max(peak, low)
            text = _figure(low) if high == low else f"{_figure(low)}–{_figure(high)}"
            labels.append((index + 1, text))
        return labels

    @property
    def shapes(self):
        """Every country of the map, in the reader's language; the chosen ones last, so that
        their outline is drawn over their neighbours'."""
        from .models.vocabulary import local_country_name

        language = get_language() or "en"
        shapes = []
        for row in world()["countries"]:
            code = row["code"]
            count = self.counts.get(code, 0)
            name = self.names.get(code) or territory_name(code, language) or row["name"]
            shape = Shape(
                code,
                local_country_name(code, name, language),
                row["d"],
                row["x"],
                row["y"],
                row["small"],
                count,
                self.level(count),
                self.url(code) if count else "",
                code in self.chosen,
            )
            shapes.append(shape)
        shapes.sort(key=lambda shape: shape.chosen)
        return shapes

    def url(self, code):
        """The browser's address of this country's agreements among the map's."""
        from .filters import browser_url

        if self.linked is not None and code not in self.linked:
            return ""
        pairs = [pair for pair in self.within if pair != ("country", code)]
        return browser_url([*pairs, ("country", code)])

    @property
    def others(self):
        """Shapes of places with no ISO code (Kosovo, Somaliland…): land, with nothing to count."""
        return world()["others"]

    @property
    def rows(self):
        """The countries with agreements, most first, for the table that says it in words."""
        shapes = [shape for shape in self.shapes if shape.count]
        drawn = {shape.code for shape in shapes}
        # A country of the catalogue that Natural Earth does not draw is still counted.
        from .models.vocabulary import local_country_name

        language = get_language() or "en"
        for code, count in self.counts.items():
            if count and code not in drawn:
                name = local_country_name(code, self.names.get(code, code), language)
                url = self.url(code)
                shapes.append(Shape(code, name, "", 0, 0, False, count, self.level(count), url))
        return sorted(shapes, key=lambda shape: (-shape.count, shape.name.casefold()))


def _figure(number):
    return f"{number:,}".replace(",", "\u202f") if number >= 10000 else str(number)


def class_bounds(peak):
    """The lower bounds of up to CLASSES colour classes for counts from 1 to `peak`: each a
    round number (1, 2, 3, 5 times a power of ten), spaced evenly on a log scale."""
    if peak <= CLASSES:
        return list(range(1, max(peak, 1) + 1))
    bounds = []
    for step in range(CLASSES):
        target = peak ** (step / CLASSES)
        power = 10 ** math.floor(math.log10(target))
        bound = max(n * power for n in NICE if n * power <= target)
        if not bounds or bound > bounds[-1]:
            bounds.append(int(bound))
    return bounds


@lru_cache(maxsize=8)
def _territories(language):
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def territory_name(code, language):
    """A country's name in CLDR, for the countries the catalogue does not hold."""
    return _territories(language.split("-")[0]).get(code, "")
