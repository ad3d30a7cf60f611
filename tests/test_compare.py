"""Comparing scenarios: common random numbers, paired differences, yearly outcomes, files, CLI.

Small runs (two districts, scale 0.02, 24 months) keep this fast; the
statistics are checked against independent computations from the
per-replicate values (scipy's paired t-test, a Welch interval).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from districtsim.cli import main
from districtsim.compare import (
    CRITERIA_PREFIX,
    EFFECTS_COLUMNS,
    KEYS,
    REPLICATES_COLUMNS,
    compare_scenarios,
    criteria_outcomes,
    load_comparison,
    yearly_outcomes,
)
from districtsim.errors import ScenarioError
from districtsim.executors import LocalExecutor
from districtsim.rng import SEED_SCHEME, replicate_seeds
from districtsim.run import run_scenario
from districtsim.scenario import Scenario, load_scenario

BASE = ["scenario.months=24", "scenario.scale=0.02"]
ROOT = 11
REPS = 6


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario("two_districts", BASE)


@pytest.fixture(scope="module")
def paper() -> Scenario:
    """A small change: the local paper reaches a few more residents."""
    return load_scenario("two_districts", [*BASE, "communication.reach_paper=0.35"])


@pytest.fixture(scope="module")
def pair(base: Scenario, paper: Scenario, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("compare") / "out"
    seen: list[tuple[str, int]] = []
    comparison = compare_scenarios(
        [base, paper], REPS, root_seed=ROOT, on_run=lambda arm, r: seen.append((arm, r)), out=out
    )
    return comparison, out, seen


@pytest.fixture(scope="module")
def same(base: Scenario):
    return compare_scenarios([base, base], 3, root_seed=ROOT)


def values(reps: pd.DataFrame, arm: str) -> pd.DataFrame:
    """The per-replicate values of one arm as a (key row) x replicate table."""
    d = reps[reps["arm"] == arm]
    return d.pivot_table(
        index=KEYS, columns="replicate", values="value", observed=True, sort=True, dropna=False
    )


# ------------------------------------------------------------ common random numbers
def test_scenario_against_itself_is_bit_identical_with_zero_differences(same) -> None:
    a, b = same.arms
    assert a != b, (
        f"expected distinct arm labels for a scenario compared with itself, got {same.arms}"
    )
    va = same.replicates[same.replicates["arm"] == a]["value"].to_numpy()
    vb = same.replicates[same.replicates["arm"] == b]["value"].to_numpy()
    assert np.array_equal(va, vb, equal_nan=True), (
        "expected bit-identical per-replicate outcomes in both arms "
        "(same seeds = common random numbers)"
    )
    eff = same.effects[same.effects["arm"] == b]
    for col in ("diff_mean", "diff_lo", "diff_hi"):
        assert (eff[col] == 0).all(), (
            f"expected every {col} to be exactly 0 for a scenario against itself, "
            f"max |{col}| = {eff[col].abs().max()}"
        )
    # The replicates themselves differ (the seeds matter), so the zero differences are not trivial.
    v = values(same.replicates, a)
    city_price = v.loc[("city", "", "price_eur_m2", 1)]
    assert city_price.nunique() == 3, (
        f"expected three different replicate values of the city price (seeds {same.seeds}), "
        f"got {city_price.tolist()}"
    )


def test_replicate_seeds_are_root_plus_r_and_match_a_single_run(base: Scenario, pair) -> None:
    comparison, _, _ = pair
    assert comparison.seeds == [ROOT + r for r in range(REPS)] == replicate_seeds(ROOT, REPS), (
        f"expected seeds root + r (the scheme of sweeps too), got {comparison.seeds}"
    )
    assert comparison.meta["seed_scheme"] == SEED_SCHEME
    one = yearly_outcomes(run_scenario(base, seed=ROOT + 2))
    rep = comparison.replicates
    got = rep[(rep["arm"] == comparison.arms[0]) & (rep["replicate"] == 2)]["value"].to_numpy()
    assert np.array_equal(got, one["value"].to_numpy(), equal_nan=True), (
        "expected replicate 2 of the first arm to equal run_scenario(scenario, seed=root + 2)"
    )


def test_paired_differences_are_scipys_paired_t_intervals(pair) -> None:
    comparison, _, _ = pair
    a, b = comparison.arms
    va, vb = values(comparison.replicates, a), values(comparison.replicates, b)
    eff = comparison.effects[comparison.effects["arm"] == b].set_index(KEYS)
    checked = 0
    for key in [
        ("city", "", "identity", 1),
        ("city", "", "price_eur_m2", 0),
        ("district", "Creative", "participation_rate", 1),
        ("district", "Traditional", CRITERIA_PREFIX + "identity", 1),
    ]:
        x, y = va.loc[key].to_numpy(), vb.loc[key].to_numpy()
        res = stats.ttest_rel(y, x)
        ci = res.confidence_interval(0.95)
        row = eff.loc[key]
        assert row["diff_mean"] == pytest.approx(np.mean(y - x), rel=1e-12, abs=1e-12), (
            f"{key}: expected the mean paired difference {np.mean(y - x)}, got {row['diff_mean']}"
        )
        assert (row["diff_lo"], row["diff_hi"]) == pytest.approx((ci.low, ci.high), rel=1e-9), (
            f"{key}: expected scipy's paired 95% CI {ci}, got ({row['diff_lo']}, {row['diff_hi']})"
        )
        assert row["mean"] == pytest.approx(np.mean(y)), (
            f"{key}: expected the arm mean {np.mean(y)}, got {row['mean']}"
        )
        assert row["n_replicates"] == REPS, (
            f"expected n_replicates {REPS}, got {row['n_replicates']}"
        )
        checked += 1
    assert checked == 4
    ref = comparison.effects[comparison.effects["arm"] == a]
    assert ref[["diff_mean", "diff_lo", "diff_hi"]].isna().all().all(), (
        "expected no difference columns for the reference arm (NaN)"
    )


def welch_width(x: np.ndarray, y: np.ndarray) -> float:
    vx, vy, n, m = x.var(ddof=1), y.var(ddof=1), x.size, y.size
    se2 = vx / n + vy / m
    df = se2**2 / ((vx / n) ** 2 / (n - 1) + (vy / m) ** 2 / (m - 1))
    return float(2 * stats.t.ppf(0.975, df) * np.sqrt(se2))


def test_paired_intervals_are_narrower_than_unpaired_ones(pair) -> None:
    comparison, _, _ = pair
    a, b = comparison.arms
    va, vb = values(comparison.replicates, a), values(comparison.replicates, b)
    eff = comparison.effects[
        (comparison.effects["arm"] == b) & (comparison.effects["year"] == 1)
    ].set_index(KEYS)
    ratios = {}
    for key, row in eff.iterrows():
        x, y = va.loc[key].to_numpy(), vb.loc[key].to_numpy()
        if x.std() == 0 and y.std() == 0:
            continue
        ratios[key] = (row["diff_hi"] - row["diff_lo"]) / welch_width(x, y)
    assert len(ratios) > 20, f"expected more than 20 varying outcomes in year 1, got {len(ratios)}"
    # Not the city price: since issue 12 prices follow demand (housing.beta_demand 1), and at
    # scale 0.02 the year-1 price carries each arm's own demand noise (who happens to move),
    # which pairing does not remove (measured width ratio 1.16; price_gini 1.18).
    for key in [
        ("city", "", "reputation", 1),
        ("city", "", "identity", 1),
        ("city", "", "participation_rate", 1),
    ]:
        assert ratios[key] < 0.8, (
            f"{key}: expected the paired CI clearly narrower than the unpaired (Welch) CI on "
            f"the same runs, width ratio {ratios[key]:.3f}"
        )
    median = float(np.median(list(ratios.values())))
    assert median < 0.8, (
        f"expected common random numbers to narrow the typical CI, median paired/unpaired "
        f"width ratio {median:.3f}"
    )


def test_the_small_change_has_a_clear_effect_on_identity(pair) -> None:
    comparison, _, _ = pair
    eff = comparison.effects
    row = eff[
        (eff["arm"] == comparison.arms[1])
        & (eff["scope"] == "city")
        & (eff["outcome"] == "identity")
        & (eff["year"] == 1)
    ].iloc[0]
    assert row["diff_lo"] > 0, (
        f"expected a wider-reaching paper to raise city identity clearly (CI above 0), got "
        f"{row['diff_mean']:.4f} [{row['diff_lo']:.4f}, {row['diff_hi']:.4f}]"
    )


def test_workers_and_executor_do_not_change_the_results(
    base: Scenario, paper: Scenario, tmp_path: Path
) -> None:
    one = compare_scenarios([base, paper], 3, workers=1, root_seed=5)
    two = compare_scenarios([base, paper], 3, workers=2, root_seed=5, out=tmp_path / "two")
    with LocalExecutor(2) as executor:
        given = compare_scenarios([base, paper], 3, root_seed=5, executor=executor)
    for other in (two, given):
        pd.testing.assert_frame_equal(one.effects, other.effects, check_exact=True)
        pd.testing.assert_frame_equal(one.replicates, other.replicates, check_exact=True)
    assert (one.meta["workers"], one.meta["executor"]) == (1, "in this process")
    assert (given.meta["workers"], given.meta["executor"]) == (None, "2 local processes")
    # Written by the calling process as each run finishes, identical to a single run.
    run = pd.read_parquet(tmp_path / "two" / "runs" / two.arms[1] / "2" / "city.parquet")
    pd.testing.assert_frame_equal(run, run_scenario(paper, seed=7).city)


ONE_RESIDENT = (
    '[scenario]\nname = "one"\nmonths = 2\nscale = 0.0001\n\n[[districts]]\nname = "A"\n'
    "x_km = 0\ny_km = 0\npopulation = 100\ndwellings = 60\nshare_owner = 0.5\n"
    'share_social = 0.2\nprice_eur_m2 = 4000\nmode = "creative"\nchannels = ["paper"]\n'
    "meeting_places = 1\n"
)
"""A scenario that loads but fails when run: its scale simulates fewer than two residents."""


def test_an_error_in_a_run_is_raised_with_its_type(tmp_path: Path) -> None:
    path = tmp_path / "one.toml"
    path.write_text(ONE_RESIDENT, encoding="utf-8")
    tiny = load_scenario(str(path))
    for workers in (1, 2):
        with pytest.raises(ScenarioError, match="scenario.scale"):
            compare_scenarios([tiny, tiny], 2, workers=workers, root_seed=1)


def test_one_replicate_has_no_confidence_interval(base: Scenario, paper: Scenario) -> None:
    c = compare_scenarios([base, paper], 1, root_seed=3)
    eff = c.effects[c.effects["arm"] == c.arms[1]]
    assert eff["diff_mean"].notna().all(), "expected paired differences with one replicate"
    assert eff[["diff_lo", "diff_hi", "mean_lo", "mean_hi"]].isna().all().all(), (
        "expected NaN confidence intervals with one replicate"
    )


# ------------------------------------------------------------ yearly outcomes
def test_yearly_outcomes_are_means_of_states_and_sums_of_flows(base: Scenario) -> None:
    scen = dataclasses.replace(base, months=18)
    result = run_scenario(scen, seed=4)
    y = yearly_outcomes(result).set_index(KEYS)
    d = result.districts
    cr = d[(d["district"] == "Creative") & (d["month"] >= 12)]
    assert y.loc[("district", "Creative", "price_eur_m2", 1), "value"] == pytest.approx(
        cr["price_eur_m2"].mean()
    ), "expected the yearly mean price"
    assert y.loc[("district", "Creative", "price_eur_m2", 1), "months"] == 6, (
        "expected the partial last year to record its 6 months"
    )
    assert y.loc[("district", "Creative", "displacement_persons", 1), "value"] == pytest.approx(
        cr["moves_out_burden_persons"].sum()
    ), "expected the yearly sum of displacement"
    city = result.city[result.city["month"] < 12]
    assert y.loc[("city", "", "displacement_persons", 0), "value"] == pytest.approx(
        city["displacement_persons"].sum()
    ), "expected the city's yearly displacement sum"
    assert y.loc[("city", "", "price_gini", 0), "value"] == pytest.approx(
        city["price_gini"].mean()
    ), "expected the city's yearly mean Gini"
    crit = result.criteria
    row = crit[(crit["program_year"] == 0) & (crit["district"] == "Traditional")].iloc[0]
    for col in criteria_outcomes():
        assert y.loc[
            ("district", "Traditional", CRITERIA_PREFIX + col, 0), "value"
        ] == pytest.approx(row[col], nan_ok=True), (
            f"expected criteria.{col} from the criteria table"
        )
    assert not any(k[2].startswith(CRITERIA_PREFIX) and k[3] == 1 for k in y.index), (
        "expected no criteria for the incomplete year 1"
    )


def test_arms_with_other_districts_are_refused(base: Scenario) -> None:
    other = load_scenario("csv_city", ["scenario.months=24", "scenario.scale=0.01"])
    with pytest.raises(ScenarioError) as err:
        compare_scenarios([base, other], 1)
    line = err.value.one_line()
    assert err.value.key == "districts" and "csv_city" in line and "Traditional" in line, (
        f"expected the file, key districts and the names, got {line}"
    )
    swapped = dataclasses.replace(base, districts=base.districts[::-1], source="swapped.toml")
    with pytest.raises(ScenarioError, match="another order") as err:
        compare_scenarios([base, swapped], 1)
    assert err.value.file == "swapped.toml", (
        f"expected the second scenario's file named, got {err.value.file}"
    )
    with pytest.raises(ScenarioError) as err:
        compare_scenarios([base, dataclasses.replace(base, months=12)], 1)
    assert err.value.key == "scenario.months", (
        f"expected a horizon mismatch under scenario.months, got {err.value.one_line()}"
    )
    with pytest.raises(ValueError, match="replicates"):
        compare_scenarios([base, base], 0)


# ------------------------------------------------------------ files
def test_files_are_written_per_run_and_read_back(pair) -> None:
    comparison, out, seen = pair
    assert sorted(seen) == sorted((arm, r) for arm in comparison.arms for r in range(REPS)), (
        f"expected on_run once per (arm, replicate), got {seen}"
    )
    for arm in comparison.arms:
        for r in range(REPS):
            run = out / "runs" / arm / str(r)
            names = sorted(p.name for p in run.iterdir())
            assert names == [
                "city.parquet",
                "criteria.parquet",
                "districts.parquet",
                "events.parquet",
                "meta.json",
            ], f"expected the run's tables in {run}, got {names}"
            assert (
                json.loads((run / "meta.json").read_text(encoding="utf-8"))["seed"] == ROOT + r
            ), f"expected seed {ROOT + r} in {run}/meta.json"
    leftovers = [p.name for p in out.rglob(".*")]
    assert not leftovers, f"expected no temporary files, found {leftovers}"
    back = load_comparison(out)
    pd.testing.assert_frame_equal(back.effects, comparison.effects, check_exact=True)
    pd.testing.assert_frame_equal(back.replicates, comparison.replicates, check_exact=True)
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert [a["arm"] for a in meta["arms"]] == comparison.arms and meta[
        "seeds"
    ] == comparison.seeds, "expected arms and seeds in meta.json"
    assert meta["arms"][1]["scenario"]["params"]["communication"]["reach_paper"] == pytest.approx(
        0.35
    ), "expected each arm's resolved parameters in meta.json"
    for key in ("version", "python", "numpy", "seed_scheme", "root_seed", "replicates"):
        assert key in meta, f"expected {key!r} in meta.json, have {sorted(meta)}"


def test_effects_columns(pair) -> None:
    comparison, _, _ = pair
    expected = [
        "scope",
        "district",
        "outcome",
        "year",
        "months",
        "arm",
        "mean",
        "mean_lo",
        "mean_hi",
        "diff_mean",
        "diff_lo",
        "diff_hi",
        "p_value",
        "q_value",
        "n_replicates",
        "unit",
        "direction",
    ]
    assert list(comparison.effects.columns) == expected == EFFECTS_COLUMNS, (
        f"expected effects columns {expected}, got {list(comparison.effects.columns)}"
    )
    assert list(comparison.replicates.columns) == REPLICATES_COLUMNS, (
        f"expected replicates columns {REPLICATES_COLUMNS}, "
        f"got {list(comparison.replicates.columns)}"
    )
    city = comparison.effects[comparison.effects["scope"] == "city"]
    assert (city["district"] == "").all(), "expected an empty district on city rows"
    assert set(city["outcome"].astype(str)) >= {
        "price_gini",
        "displacement_persons",
        "price_eur_m2",
    }, "expected the city's Gini, displacement and price"


# ------------------------------------------------------------ CLI
TINY = ["--months", "12", "--scale", "0.02", "--quiet"]


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], *parts: str) -> str:
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2, f"expected exit status 2, got {code}; stderr {err!r}"
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("districtsim: ") and "Traceback" not in err, (
        f"expected one 'districtsim: ' line, got {err!r}"
    )
    for part in parts:
        assert part in lines[0], f"expected {part!r} in {lines[0]!r}"
    return lines[0]


def test_cli_compare_writes_tables_report_and_meta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            "two_districts",
            "two_districts",
            "--replicates",
            "2",
            "--seed",
            "7",
            *TINY,
            "--set",
            "mobilisation.tau=0.05",
            "--out",
            str(out),
        ]
    )
    stdout, err = capsys.readouterr()
    assert code == 0, f"expected exit 0, got {code}; stderr {err!r}"
    listed = {Path(line.strip()).name for line in stdout.splitlines() if line.strip()}
    assert listed == {"effects.parquet", "replicates.parquet", "report.html", "meta.json"}, (
        f"expected the four written files on stdout, got {listed}"
    )
    for name in listed:
        assert (out / name).is_file(), f"expected {name} in --out"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["seeds"] == [7, 8], f"expected --seed 7 to give seeds [7, 8], got {meta['seeds']}"
    assert all(
        a["scenario"]["params"]["mobilisation"]["tau"] == pytest.approx(0.05) for a in meta["arms"]
    ), "expected --set applied to every arm"
    assert all(a["scenario"]["scenario"]["months"] == 12 for a in meta["arms"]), (
        "expected --months applied to every arm"
    )


def test_cli_compare_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x")
    one_line_error(
        capsys,
        ["compare", "no_such_scenario", "two_districts", "--replicates", "2", *TINY, "--out", out],
        "no_such_scenario",
        "expected",
    )
    one_line_error(
        capsys,
        ["compare", "two_districts", "csv_city", "--replicates", "2", *TINY, "--out", out],
        "csv_city",
        "districts",
        "Traditional",
        "expected",
    )
    one_line_error(
        capsys,
        ["compare", "two_districts", "two_districts", "--replicates", "0", *TINY, "--out", out],
        "--replicates",
        "found 0",
        "at least 1",
    )
    one_line_error(
        capsys,
        ["compare", "two_districts", "two_districts", "--replicates", "-3", *TINY, "--out", out],
        "--replicates",
        "found -3",
    )
    one_line_error(
        capsys,
        [
            "compare",
            "two_districts",
            "two_districts",
            "--replicates",
            "2",
            "--workers",
            "0",
            *TINY,
            "--out",
            out,
        ],
        "--workers",
        "found 0",
    )
    one_line_error(
        capsys,
        ["compare", "two_districts", "--replicates", "2", *TINY, "--out", out],
        "two or more",
    )
    one_line_error(
        capsys, ["compare", "two_districts", "two_districts", *TINY, "--out", out], "--replicates"
    )
    assert not (tmp_path / "x" / "effects.parquet").exists(), (
        "expected nothing written after a usage error"
    )


def test_p_values_agree_with_the_intervals_and_q_values_adjust_them(pair) -> None:
    """p < 0.05 exactly when the 95% interval excludes 0; q >= p, BH within (arm, year)."""
    from scipy import stats as st

    comparison, _, _ = pair
    eff = comparison.effects
    diff = eff[eff["arm"] != comparison.arms[0]].dropna(subset=["p_value"])
    spread = diff[diff["diff_hi"] > diff["diff_lo"]]
    excludes = (spread["diff_lo"] > 0) | (spread["diff_hi"] < 0)
    assert ((spread["p_value"] < 0.05) == excludes).all(), "expected p < 0.05 iff CI excludes 0"
    assert (diff["q_value"] >= diff["p_value"] - 1e-12).all(), "expected q >= p"
    year = diff[(diff["year"] == diff["year"].max()) & ~diff["outcome"].str.startswith("criteria")]
    expected = st.false_discovery_control(year["p_value"].to_numpy(), method="bh")
    np.testing.assert_allclose(year["q_value"], expected, rtol=1e-12)
    directions = dict(zip(eff["outcome"].astype(str), eff["direction"], strict=False))
    assert directions["displacement_persons"] == "lower"
    assert directions["participation_rate"] == "higher"
    assert directions["price_eur_m2"] == "neither"


def test_paired_p_value_without_spread() -> None:
    from districtsim.compare import paired_p_value

    d = np.array([[1.0, 0.0, 2.0], [1.0, 0.0, 4.0], [1.0, 0.0, 3.0]])
    p = paired_p_value(d, axis=0)
    assert p[0] == 0.0 and p[1] == 1.0 and 0 < p[2] < 0.05
