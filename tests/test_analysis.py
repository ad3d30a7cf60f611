"""Sensitivity analysis of sweeps: known indices, and a sweep end to end.

The analysis is districtsim.analysis, on SALib.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from districtsim.analysis import (
    analyze_sweep,
    morris_indices,
    morris_noise_floor,
    response_indices,
    sobol_indices,
    spearman_interval,
    sweep_analysis,
    write_analysis,
)
from districtsim.errors import ScenarioError
from districtsim.experiment import experiment_from_dict
from districtsim.sweep import load_sweep, run_experiment
from helpers import tiny_experiment

ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
"""Analytic Sobol indices of the Ishigami function with a = 7, b = 0.1.

See Ishigami & Homma 1990; Saltelli et al. 2008.
"""


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_pipeline_recovers_the_ishigami_indices() -> None:
    """The same unit-scale Saltelli design the sweeps use, mapped to [-pi, pi]^3."""
    from SALib.sample import sobol

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}
    unit = sobol.sample(problem, 2048, calc_second_order=False, seed=3)
    y = ishigami(-np.pi + 2 * np.pi * unit)
    table = sobol_indices(problem, y, calc_second_order=False, seed=3)
    np.testing.assert_allclose(
        table["S1"],
        ISHIGAMI_S1,
        atol=0.04,
        err_msg=f"expected first-order indices near {ISHIGAMI_S1}",
    )
    np.testing.assert_allclose(
        table["ST"], ISHIGAMI_ST, atol=0.04, err_msg=f"expected total indices near {ISHIGAMI_ST}"
    )
    assert (table["S1_conf"] > 0).all() and (table["S1_conf"] < 0.1).all(), (
        "expected bootstrap intervals, narrow at N = 2048"
    )


def test_morris_ranks_a_known_linear_function() -> None:
    from SALib.sample import morris

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    x = morris.sample(problem, 20, num_levels=4, seed=1)
    table = morris_indices(problem, x, 2.0 * x[:, 0] + 0.5 * x[:, 1], num_levels=4, seed=1)
    np.testing.assert_allclose(
        table["mu_star"],
        [2.0, 0.5, 0.0],
        atol=1e-9,
        err_msg="expected mu* = |slope| for a linear function",
    )
    np.testing.assert_allclose(
        table["sigma"], 0.0, atol=1e-9, err_msg="expected no spread of effects without interactions"
    )


def test_morris_noise_floor_is_the_mu_star_of_pure_noise() -> None:
    """An outcome that is only replicate noise gets mu* at the floor the analysis reports."""
    from SALib.sample import morris

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    x = morris.sample(problem, 1000, num_levels=4, seed=2)
    sd, replicates = 3.0, 2
    rng = np.random.default_rng(7)
    y = rng.normal(10.0, sd, size=(len(x), replicates)).mean(axis=1)
    table = morris_indices(problem, x, y, num_levels=4, seed=2)
    floor = morris_noise_floor(sd, replicates, num_levels=4)
    # 1000 effects an input: the mean of |N(0, v)| has a relative standard error of 2.4%
    np.testing.assert_allclose(
        table["mu_star"], floor, rtol=0.1, err_msg=f"expected mu* of pure noise near {floor:.3f}"
    )


def test_response_of_a_monotone_outcome() -> None:
    points = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "k": ["x", "y", "x", "y"]})
    y = pd.Series([2.0, 4.0, 6.0, 8.0])
    table, levels = response_indices(points, y, ["a", "k"])
    assert table.set_index("input").loc["a", "spearman_rho"] == pytest.approx(
        1.0
    ) and table.set_index("input").loc["a", "slope_per_unit"] == pytest.approx(2.0)
    assert levels.set_index("level")["mean"].to_dict() == {"x": 4.0, "y": 6.0}, (
        "expected the mean outcome per level of the category input"
    )


def tiny_sobol(tmp_path: Path) -> Path:
    raw = tiny_experiment(
        "tiny_sobol",
        {"method": "sobol", "n": 4, "seed": 1},
        ["reputation_mean", "participation_rate"],
        scope="city",
    )
    exp = experiment_from_dict(raw, str(tmp_path / "tiny.toml"), base_dir=tmp_path)
    out = tmp_path / "sweep"
    run_experiment(exp, out)
    return out


def test_analyze_a_sobol_sweep_end_to_end(tmp_path: Path) -> None:
    out = tiny_sobol(tmp_path)
    tables = analyze_sweep(out)
    idx = tables["indices"]
    assert set(idx["variable"]) == {"reputation_mean", "participation_rate"} and set(
        idx["input"]
    ) == {"mobilisation.tau", "identity.time_constant_months"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns) and np.isfinite(idx["ST"]).all()
    noise = idx[idx["variable"] == "participation_rate"]["noise_share"]
    assert ((noise > 0) & (noise < 5)).all(), "expected the replicate noise's share of variance"
    for name in ("indices.parquet", "indices.csv", "levels.parquet", "levels.csv", "report.html"):
        assert (out / "analysis" / name).exists(), f"expected analysis/{name}"
    html = (out / "analysis" / "report.html").read_text(encoding="utf-8")
    assert "fig-indices" in html and "Sensitivity analysis" in html
    # A missing point makes Sobol indices meaningless: refused with the count.
    part = sorted((out / "runs").glob("part-*.parquet"))[0]
    kept = pd.read_parquet(part)
    kept[kept["run_id"] > kept["run_id"].min() + 1].to_parquet(part, index=False)  # point 0
    with pytest.raises(ScenarioError, match=r"1 of 16 design points without a finished run"):
        analyze_sweep(out, write=False)


def test_cli_analyze_writes_the_tables_and_reports_user_errors_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from districtsim.cli import main

    out = tiny_sobol(tmp_path)
    assert main(["analyze", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "analysed 2 outcome(s)" in printed and "report.html" in printed
    assert main(["analyze", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no sweep.json" in err and "districtsim sweep" in err


def test_analyze_a_morris_sweep_with_replicates(tmp_path: Path) -> None:
    """Morris indices, the replicate noise and its mu* floor, end to end on a tiny sweep."""
    raw = {
        "experiment": {
            "name": "tiny_morris",
            "scenario": "two_districts",
            "root_seed": 5,
            "replicates": 2,
            "months": 12,
            "scale": 0.01,
        },
        "inputs": [
            {"name": "mobilisation.tau", "kind": "continuous", "lo": 0.05, "hi": 0.12},
            {"name": "identity.time_constant_months", "kind": "continuous", "lo": 12.0, "hi": 36.0},
        ],
        "design": {"method": "morris", "n": 2, "seed": 1, "num_levels": 4},
        "outputs": {"variables": ["participation_rate"], "summary": "yearly", "scope": "city"},
    }
    exp = experiment_from_dict(raw, str(tmp_path / "tiny.toml"), base_dir=tmp_path)
    out = tmp_path / "sweep"
    run_experiment(exp, out)
    idx = analyze_sweep(out)["indices"]
    assert {"mu_star", "mu_star_conf", "sigma", "replicate_sd", "noise_mu_star"} <= set(idx.columns)
    assert (idx["replicate_sd"] > 0).all(), "expected seeds 5 and 6 to differ"
    expected = morris_noise_floor(idx["replicate_sd"].iloc[0], 2, 4)
    assert idx["noise_mu_star"].iloc[0] == pytest.approx(expected)


def test_spearman_interval_is_fisher_z_with_the_rank_standard_error() -> None:
    # rho 0.5 from 28 points: se = sqrt(1.125 / 25) = 0.2121, z = atanh(0.5) = 0.5493
    lo, hi = spearman_interval(0.5, 28)
    assert (lo, hi) == pytest.approx((0.1327, 0.7466), abs=2e-4), (
        "expected tanh(0.5493 -+ 1.96 * 0.2121)"
    )
    narrow = spearman_interval(0.5, 280)
    assert lo < narrow[0] < 0.5 < narrow[1] < hi, "expected a narrower interval from more points"
    assert np.isnan(spearman_interval(0.5, 3)).all(), "expected no interval from 3 points"


def test_response_intervals_contain_rho() -> None:
    rng = np.random.default_rng(4)
    points = pd.DataFrame({"a": rng.uniform(size=30), "b": rng.uniform(size=30)})
    y = pd.Series(2.0 * points["a"] + rng.normal(0.0, 0.5, size=30))
    table = response_indices(points, y, ["a", "b"])[0].set_index("input")
    assert (table["spearman_lo"] < table["spearman_rho"]).all() and (
        table["spearman_rho"] < table["spearman_hi"]
    ).all(), f"expected each 95% interval around its rho:\n{table}"
    assert table.loc["a", "spearman_lo"] > 0.2, "expected the real effect of a clear of zero"


LHS = tiny_experiment(
    "tiny_lhs",
    {"method": "lhs", "n": 6, "seed": 1},
    ["reputation", "participation_rate", "population"],
    months=24,
)
"""Six points x two replicates, two years, city and district outcomes (2 + 2 x 3 = 8)."""


@pytest.fixture(scope="module")
def lhs_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("lhs")
    exp = experiment_from_dict(LHS, str(tmp / "tiny.toml"), base_dir=tmp)
    run_experiment(exp, tmp / "sweep", workers=1)
    return tmp / "sweep"


def report_data(out: Path) -> tuple[str, dict]:
    """Return the analysis report's HTML and the data its outcome explorer draws from."""
    page = (out / "analysis" / "report.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="analysis-data">(.*?)</script>', page)
    assert found, "expected the explorer's data embedded in the page"
    return page, json.loads(found.group(1).replace("<\\/", "</"))


def test_the_report_offers_every_outcome_with_its_scatter_data(lhs_sweep: Path) -> None:
    analysis = sweep_analysis(lhs_sweep)
    write_analysis(analysis)
    page, data = report_data(lhs_sweep)
    _, outcomes = load_sweep(lhs_sweep)
    keys = set(outcomes[["scope", "district", "variable"]].astype(str).itertuples(index=False))
    assert len(keys) == 8 and len(analysis.outcomes) == 8
    assert page.count("<option value=") == len(keys) == len(data["outcomes"]), (
        "expected one choice and one data entry per (scope, district, variable)"
    )
    groups = re.findall(r'<optgroup label="([^"]*)">', page)
    assert groups[0] == "City" and len(groups) == 3, f"expected City, then each district: {groups}"
    points = analysis.points
    for name in points.columns:
        np.testing.assert_allclose(data["x"][name], points[name], rtol=1e-4)
    for item, key in zip(data["outcomes"], analysis.outcomes, strict=True):
        y, below, above = (np.array(item[k], dtype=float) for k in ("y", "below", "above"))
        per_point = analysis.values.loc[key].reindex(points.index)
        np.testing.assert_allclose(y, per_point["mean"], rtol=1e-4, err_msg=f"means of {key}")
        np.testing.assert_allclose(
            [below, above],
            [per_point["mean"] - per_point["min"], per_point["max"] - per_point["mean"]],
            rtol=5e-3,  # three significant digits
            err_msg=f"expected bars from the lowest to the highest replicate of {key}",
        )
        assert sorted(item["order"]) == [0, 1] and set(item["idx"]) >= {
            "spearman_rho",
            "spearman_lo",
            "spearman_hi",
        }
    assert "indices from 6 design point(s) are rough" in page, "expected the few-points banner"


def test_cli_analyze_chooses_the_year_and_the_outcomes(
    lhs_sweep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from districtsim.cli import main

    assert main(["analyze", str(lhs_sweep), "--year", "0", "--outcomes", "reputation"]) == 0
    captured = capsys.readouterr()
    assert "analysed 2 outcome(s) of year 0 over 6 design point(s)" in captured.out
    assert captured.err.count("\n") == 1 and "warning: indices from 6 design point" in captured.err
    indices = pd.read_csv(lhs_sweep / "analysis" / "indices.csv")
    assert set(indices["variable"]) == {"reputation"} and set(indices["year"]) == {0}
    # the point means are those of year 0, not of the last year
    inputs, outcomes = load_sweep(lhs_sweep)
    rows = outcomes[(outcomes["year"] == 0) & (outcomes["variable"] == "reputation")]
    rows = rows.assign(point=inputs.loc[rows["run_id"], "point"].to_numpy())
    expected = rows.groupby(["district", "point"], observed=True)["value"].mean()
    _, data = report_data(lhs_sweep)
    for item in data["outcomes"]:
        district = item["name"].split(" in ")[1]
        np.testing.assert_allclose(item["y"], expected.loc[district].to_numpy(), rtol=1e-4)
    for args, words in (
        (["--year", "5"], ["--year: found 5", "a year this sweep kept: 0, 1"]),
        (["--month", "3"], ["--month: found 3", "this sweep kept years 0, 1"]),
        (["--outcomes", "reputaton"], ["--outcomes: found 'reputaton'", "did you mean"]),
    ):
        assert main(["analyze", str(lhs_sweep), *args]) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and all(w in err for w in words), (args, err)


FAILING = {
    "experiment": {
        "name": "mostly_failing",
        "scenario": "two_districts",
        "root_seed": 3,
        "replicates": 1,
        "months": 12,
        "scale": 0.01,
    },
    "inputs": [
        {"name": "program.municipality_share", "kind": "category", "values": [0.3, 0.8]},
        {"name": "program.state_share", "kind": "category", "values": [0.5, 0.75]},
    ],
    "design": {"method": "grid"},
    "outputs": {"variables": ["participation_rate"], "summary": "yearly", "scope": "city"},
}
"""Four points, one run each; three break municipality_share + state_share <= 1 and fail."""


def test_a_sweep_with_failed_runs_is_flagged_by_the_report_and_the_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from districtsim.cli import main

    exp = experiment_from_dict(FAILING, str(tmp_path / "f.toml"), base_dir=tmp_path)
    out = tmp_path / "sweep"
    assert run_experiment(exp, out, workers=1).n_failed == 3
    assert main(["analyze", str(out)]) == 1, "expected exit status 1: the analysis is incomplete"
    err = capsys.readouterr().err.splitlines()
    assert any("3 of 4 runs failed" in line and f"{out}/failures/" in line for line in err), err
    page, data = report_data(out)
    banner = re.search(r'<div class="warning" id="analysis-banner">(.*?)</div>', page)
    assert banner and "3 of 4 runs failed" in banner.group(1), "expected the failures banner"
    assert "no outcome varies" in banner.group(1), "expected one point to give no index"
    assert data["outcomes"][0]["note"].startswith("a value at one design point only")
