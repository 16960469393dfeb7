"""The world map's data: converted from Natural Earth's TopoJSON by `build_world_map`, and the
committed file is exactly what the command makes of the world-atlas package."""

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cooperation.charts import world
from cooperation.management.commands.build_world_map import convert, equal_earth

PACKAGE = Path(settings.BASE_DIR) / "node_modules" / "world-atlas" / "countries-50m.json"


def topology(geometries, arcs):
    """A TopoJSON of countries whose arcs are given in whole degrees (scale 1, no offset)."""
    quantized = []
    for arc in arcs:
        deltas, previous = [], (0, 0)
        for x, y in arc:
            deltas.append([x - previous[0], y - previous[1]])
            previous = (x, y)
        quantized.append(deltas)
    return {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": quantized,
    }


def subpaths(d):
    return re.findall(r"M[^M]+", d)


def test_countries_get_their_iso_codes_shared_borders_and_the_antimeridian_is_cut():
    data = convert(
        topology(
            [
                # Two neighbours sharing arc 0 (a border run north–south at 10°E).
                {
                    "type": "Polygon",
                    "id": "250",
                    "properties": {"name": "France"},
                    "arcs": [[0, 1]],
                },
                {
                    "type": "Polygon",
                    "id": "276",
                    "properties": {"name": "Germany"},
                    "arcs": [[2, ~0]],
                },
                # A ring across the antimeridian, as Natural Earth's Fiji and Russia are.
                {"type": "Polygon", "id": "242", "properties": {"name": "Fiji"}, "arcs": [[3]]},
                {
                    "type": "Polygon",
                    "id": "010",
                    "properties": {"name": "Antarctica"},
                    "arcs": [[4]],
                },
                {"type": "Polygon", "properties": {"name": "Kosovo"}, "arcs": [[5]]},
            ],
            [
                [(10, 50), (10, 40)],
                [(10, 40), (0, 40), (0, 50), (10, 50)],
                [(10, 50), (20, 50), (20, 40), (10, 40)],
                [
                    (178, -16),
                    (180, -16),
                    (-180, -16),
                    (-178, -16),
                    (-178, -18),
                    (-180, -18),
                    (180, -18),
                    (178, -18),
                    (178, -16),
                ],
                [(-180, -80), (180, -80), (180, -85), (-180, -85), (-180, -80)],
                [(21, 43), (22, 43), (22, 42), (21, 43)],
            ],
        )
    )
    countries = {country["code"]: country for country in data["countries"]}
    assert set(countries) == {"FR", "DE", "FJ"}  # ISO 3166-1 alpha-2, Antarctica left out
    assert [other["name"] for other in data["others"]] == ["Kosovo"]  # no ISO code: drawn only
    assert data["width"] == 960
    assert len(subpaths(countries["FJ"]["d"])) == 2, "a piece on each side of the antimeridian"
    assert all(len(subpaths(countries[c]["d"])) == 1 for c in ("FR", "DE"))
    # Both sides of the shared border pass through its ends: no gap, no overlap.
    assert countries["FR"]["x"] < countries["DE"]["x"]


def test_equal_earth_keeps_the_equator_straight_and_the_map_symmetric():
    assert equal_earth(0, 0) == (0, 0)
    east, west = equal_earth(180, 0), equal_earth(-180, 0)
    assert east[0] == pytest.approx(-west[0]) and east[0] == pytest.approx(2.7064, abs=1e-3)
    assert equal_earth(0, 90)[1] == pytest.approx(-1.3173, abs=1e-3)


def test_the_committed_map_is_what_the_command_makes_of_world_atlas(tmp_path):
    if not PACKAGE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("no world-atlas in node_modules: .ci/run installs it (make browser-deps)")
        pytest.skip("world-atlas is not installed (make browser-deps)")
    output = tmp_path / "world.json"
    call_command("build_world_map", source=PACKAGE, output=output, stdout=StringIO())
    committed = Path(settings.BASE_DIR) / "cooperation" / "world.json"
    assert output.read_text() == committed.read_text()


def test_the_committed_map_draws_every_country_of_the_catalogue(loaded):
    from cooperation.models import Country

    codes = {country["code"] for country in world()["countries"]}
    assert len(codes) > 230
    assert set(Country.objects.values_list("code", flat=True)) <= codes


def test_an_unreadable_source_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match=r"broken\.json: cannot read a TopoJSON file"):
        call_command("build_world_map", source=broken, output=tmp_path / "out.json")
