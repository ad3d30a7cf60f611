"""Calibration targets (``districtsim.targets``): the bundled file, the measures, the errors."""

from __future__ import annotations

import numpy as np
import pytest

from districtsim.errors import ScenarioError
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario
from districtsim.targets import KINDS, MEASURES, evaluate, load_targets


@pytest.fixture(scope="module")
def short_run():
    scenario = load_scenario("helsinki", ["scenario.scale=0.02", "scenario.months=30"])
    return scenario, run_scenario(scenario, seed=3)


def test_the_default_city_declares_the_model_targets():
    targets = load_targets("helsinki")
    assert len(targets) == 14
    assert {t.kind for t in targets} <= set(KINDS)
    assert all(t.measure in MEASURES and t.source for t in targets)
    names = {t.measure for t in targets}
    for needed in ("moves_within_city_per_year", "district_turnover_max_per_year"):
        assert needed in names, f"expected a target measured by {needed}"


def test_measures_follow_the_tables(short_run):
    """A few measures recomputed by hand; ``met`` follows the bounds."""
    scenario, result = short_run
    table = evaluate(result, scenario, load_targets("helsinki")).set_index("measure")
    city, d = result.city, result.districts
    first = city[city["month"] < 24]  # the two whole years of a 30-month run
    year = first["month"] // 12
    flow = first["moves_in_from_outside_persons"] + first["moves_out_to_outside_persons"]
    boundary = (flow.groupby(year).sum() / first["population"].groupby(year).mean()).mean()
    assert table.loc["moves_across_boundary_per_year", "value"] == pytest.approx(boundary)
    g = d.groupby("district", observed=True)
    turnover = g["moves_out_persons"].sum() / g["population"].mean() / 2.5
    assert table.loc["district_turnover_max_per_year", "value"] == pytest.approx(turnover.max())
    detached = [x.name for x in scenario.districts if x.share_owner >= 0.7]
    assert table.loc["detached_turnover_max_per_year", "value"] == pytest.approx(
        turnover[detached].max()
    )
    low = table["low"].fillna(-np.inf)
    high = table["high"].fillna(np.inf)
    expected = (table["value"] >= low) & (table["value"] <= high)
    assert table["met"].tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('measure = "no_such_measure"', "targets[0].measure", "one of city_growth_per_year"),
        ('kind = "guess"', "targets[0].kind", "one of input check, emergent"),
        ("low = 2.0\nhigh = 1.0", "targets[0].high", "at least low"),
        ("colour = 1", "targets[0].colour", "one of name, measure"),
    ],
)
def test_a_bad_targets_file_names_file_key_and_what_is_expected(tmp_path, text, key, expected):
    base = {
        "name": '"x"',
        "measure": '"city_growth_per_year"',
        "unit": '"1/year"',
        "low": "0.0",
        "kind": '"emergent"',
        "source": '"s"',
    }
    for line in text.splitlines():
        k, v = (part.strip() for part in line.split("=", 1))
        base[k] = v
    path = tmp_path / "targets.toml"
    path.write_text("[[targets]]\n" + "\n".join(f"{k} = {v}" for k, v in base.items()))
    with pytest.raises(ScenarioError) as info:
        load_targets(str(path))
    assert info.value.key == key and expected in info.value.expected, info.value.one_line()
