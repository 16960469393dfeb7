"""Geometry for the server-rendered SVG charts: timelines by year and the cooperation network."""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext


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
    if peak < 2:
        return [0, peak]
    middle = peak // 2
    return [0, middle, peak] if peak >= 4 else [0, peak]


@dataclass
class Node:
    key: str
    label: str
    name: str
    url: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    degree: int


@dataclass
class Link:
    source: Node
    target: Node
    weight: int


@dataclass
class Network:
    nodes: list
    links: list
    size: float
    margin: float = 0  # room on each side for the labels
    table: list = field(default_factory=list)  # (agency, agency, shared agreements), for reading

    @property
    def view_box(self):
        return f"{-self.margin} 0 {self.size + 2 * self.margin} {self.size}"


def network(agencies, pairs, *, size=520):
    """agencies: [(key, label, name, url, agreements)]; pairs: [(key, key, shared agreements)].
    Agencies sit on a circle, ordered by country then name, so that partners face each other."""
    if not agencies:
        return None
    centre, radius = size / 2, size / 2 - 70
    nodes = {}
    for index, (key, label, name, url, degree) in enumerate(agencies):
        angle = 2 * math.pi * index / len(agencies) - math.pi / 2
        cos, sin = math.cos(angle), math.sin(angle)
        nodes[key] = Node(
            key,
            label,
            name,
            url,
            round(centre + radius * cos, 1),
            round(centre + radius * sin, 1),
            round(centre + (radius + 12) * cos, 1),
            round(centre + (radius + 12) * sin + 4, 1),
            "start" if cos > 0.2 else "end" if cos < -0.2 else "middle",
            degree,
        )
    links = [
        Link(nodes[a], nodes[b], weight) for a, b, weight in pairs if a in nodes and b in nodes
    ]
    return Network(list(nodes.values()), links, size, margin=120)
