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
    """Bars per year, one colour per series, years without records included at zero."""

    title: str
    series: list
    bars: list
    labels: list  # (x, year) of the years written under the axis
    width: float
    height: float
    axis_y: float
    rows: list  # (year, count per series) for the table that says the same in words
    undated: list = field(default_factory=list)  # per series: records with no known year

    @property
    def series_text(self):
        """The series' names as a phrase: "agreements and events"."""
        return f" {gettext('and')} ".join(str(name) for name in self.series)


def timeline(title, series, *, chart_height=140, slot=26):
    """series: [(name, [(year or None, count), …]), …] → a Timeline; None if nothing is dated."""
    counts = [{year: n for year, n in pairs if year is not None} for _, pairs in series]
    undated = [sum(n for year, n in pairs if year is None) for _, pairs in series]
    years = sorted({year for each in counts for year in each})
    if not years:
        return None
    all_years = list(range(years[0], years[-1] + 1))
    peak = max(max(each.values(), default=0) for each in counts) or 1
    top, bottom = 18, 22
    plot = chart_height - top - bottom
    bar_width = (slot - 6) / len(series)
    bars = []
    for index, year in enumerate(all_years):
        for number, each in enumerate(counts):
            count = each.get(year, 0)
            if not count:
                continue
            height = max(2.0, plot * count / peak)
            x = 8 + index * slot + number * bar_width
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
    step = 1 if len(all_years) <= 12 else 5 if len(all_years) <= 60 else 10
    # The first year, every step-th and the last, none closer than three bars to the one before.
    gap, last, labelled = (1 if step == 1 else 3), len(all_years) - 1, []
    for index, year in enumerate(all_years):
        wanted = index in (0, last) or year % step == 0
        if wanted and (not labelled or index - labelled[-1] >= gap):
            labelled.append(index)
    labels = [(round(8 + i * slot + (slot - 6) / 2, 1), all_years[i]) for i in labelled]
    rows = [(year, [each.get(year, 0) for each in counts]) for year in years]
    return Timeline(
        title=title,
        series=[name for name, _ in series],
        bars=bars,
        labels=labels,
        width=16 + len(all_years) * slot,
        height=chart_height,
        axis_y=top + plot,
        rows=rows,
        undated=undated,
    )


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
