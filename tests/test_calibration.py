"""The rejection calibration: a sweep keeps its targets' measures, and points are accepted.

A small example end to end (issue 13): two_districts, 12 months at scale 0.01, a Latin
hypercube of 4 points over ``mobilisation.theta_mean``'s plausible range, 2 replicates, two
targets; :func:`districtsim.calibration.accepted_points` against the runs' own tables.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from districtsim.calibration import accepted_points
from districtsim.errors import ScenarioError
from districtsim.experiment import load_experiment
from districtsim.params import Mobilisation
from districtsim.run import run_scenario
from districtsim.sweep import load_sweep, run_experiment
from districtsim.targets import evaluate, load_targets

TARGETS = """
[[targets]]
name = "participation"
measure = "participation_city_max_year"
unit = "share"
low = 0.01
high = 0.10
kind = "emergent"
source = "a single-digit share of residents active in a month (MODEL 5.12)"

[[targets]]
name = "moves across the boundary"
measure = "moves_across_boundary_per_year"
unit = "1/year"
low = 0.05
high = 0.20
kind = "input check"
source = "test band"
"""

EXPERIMENT = """
[experiment]
name = "calibration_example"
scenario = "two_districts"
root_seed = 7
replicates = 2
months = 12
scale = 0.01

[[inputs]]
name = "mobilisation.theta_mean"
kind = "continuous"

[design]
method = "lhs"
n = 4
seed = 2

[outputs]
variables = ["participation_rate"]
summary = "yearly"
scope = "city"
targets = "targets.toml"
"""


@pytest.fixture(scope="module")
def calibration_sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("calibration")
    (tmp / "targets.toml").write_text(TARGETS, encoding="utf-8")
    (tmp / "example.toml").write_text(EXPERIMENT, encoding="utf-8")
    exp = load_experiment(str(tmp / "example.toml"))
    run_experiment(exp, tmp / "out", workers=1)
    return exp, tmp / "out"


def test_a_sweep_keeps_each_target_measure_of_each_run(calibration_sweep):
    exp, out = calibration_sweep
    inputs, outcomes = load_sweep(out)
    rows = outcomes[outcomes["scope"] == "target"]
    assert sorted(rows["variable"].unique()) == sorted(t.measure for t in exp.outputs.targets)
    assert (rows.groupby("run_id").size() == 2).all() and rows["run_id"].nunique() == 8
    run = inputs.index[0]
    values = inputs.loc[run, list(exp.input_names)].to_dict()
    scenario = exp.scenario_for(values)
    expected = evaluate(
        run_scenario(scenario, seed=int(inputs.loc[run, "seed"])),
        scenario,
        exp.outputs.targets,
    ).set_index("measure")["value"]
    got = rows[rows["run_id"] == run].set_index("variable")["value"]
    np.testing.assert_allclose(got[expected.index], expected, rtol=1e-12)


def test_points_are_accepted_when_their_replicate_means_meet_every_target(calibration_sweep):
    """The table against the sweep's own outcomes: means per point, bands read from the file."""
    exp, out = calibration_sweep
    table = accepted_points(out).set_index("point")
    assert len(table) == 4 and (table["n_runs"] == 2).all()
    inputs, outcomes = load_sweep(out)
    rows = outcomes[outcomes["scope"] == "target"]
    means = (
        rows.assign(point=inputs.loc[rows["run_id"], "point"].to_numpy())
        .groupby(["point", "variable"])["value"]
        .mean()
        .unstack()
    )
    bands = {
        "participation_city_max_year": (0.01, 0.10),
        "moves_across_boundary_per_year": (0.05, 0.20),
    }
    met = {}
    for measure, (low, high) in bands.items():
        np.testing.assert_allclose(table[measure], means.loc[table.index, measure], rtol=1e-12)
        met[measure] = (means[measure] >= low) & (means[measure] <= high)
        assert (table[f"met_{measure}"] == met[measure].loc[table.index]).all(), measure
    accepted = met["participation_city_max_year"] & met["moves_across_boundary_per_year"]
    assert (table["accepted"] == accepted.loc[table.index]).all()
    missed = (~met["participation_city_max_year"]).astype(int) + (
        ~met["moves_across_boundary_per_year"]
    ).astype(int)
    assert (table["targets_missed"] == missed.loc[table.index]).all()
    theta = table["mobilisation.theta_mean"]
    meta = next(f for f in dataclasses.fields(Mobilisation) if f.name == "theta_mean").metadata
    low, high = meta["plausible"]
    assert ((theta >= low) & (theta <= high)).all(), (theta.tolist(), meta["plausible"])


def test_an_experiment_without_targets_keeps_targets_out_of_its_spec():
    """So its spec, and the hash a resumed sweep checks, are those it had before targets existed."""
    exp = load_experiment("smoke")
    assert "targets" not in exp.to_dict()["outputs"]
    assert exp.outputs.targets == ()


def test_a_bad_targets_reference_is_reported_with_its_key(tmp_path):
    (tmp_path / "e.toml").write_text(
        EXPERIMENT.replace('targets = "targets.toml"', 'targets = "nowhere.toml"'),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_experiment(str(tmp_path / "e.toml"))
    assert info.value.key == "outputs.targets", info.value.one_line()


def test_accepting_needs_a_sweep_with_targets(tmp_path):
    run_experiment(load_experiment("smoke"), tmp_path / "smoke", workers=1)
    with pytest.raises(ScenarioError) as info:
        accepted_points(tmp_path / "smoke")
    assert info.value.key == "outputs.targets"


def test_the_bundled_targets_load():
    assert load_targets("helsinki")


def test_analyze_writes_the_accepted_points_of_a_sweep_with_targets(calibration_sweep, capsys):
    from districtsim.cli import main

    _, out = calibration_sweep
    assert main(["analyze", str(out)]) == 0
    printed = capsys.readouterr().out
    table = accepted_points(out)
    assert (
        f"calibration targets: {int(table['accepted'].sum())} of 4 design point(s) meet every "
        "target"
    ) in printed, printed
    written = pd.read_csv(out / "analysis" / "accepted.csv")
    assert written["accepted"].tolist() == table["accepted"].tolist()
    html = (out / "analysis" / "report.html").read_text(encoding="utf-8")
    n_ok = int(table["accepted"].sum())
    assert f"{n_ok} of 4 design points meet every target" in html, "expected the calibration part"
    assert "fig-calibration" in html and "moves across the boundary" in html
    assert "fig-target-drivers" in html and "vs theta_mean (rho" in html, (
        "expected each target against the input it follows most closely"
    )
