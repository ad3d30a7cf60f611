"""EMA Workbench interop (``districtsim.ema``, the ``ema`` extra) and its worked example.

The uncertainties are the parameter declarations' plausible ranges; numpy values go straight
into the runs; replicate ``r`` of every experiment runs on the project's seed ``root + r`` and
gives exactly what ``run_scenario`` gives on that seed; the example in
``experiments/ema_prim/`` runs PRIM end to end at a tiny size, and the figures the docs quote
are those of its committed results. Without EMA Workbench the tests that need it are skipped,
except in CI (``CI=true``), where ``make install`` installs the extra and a missing package
is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from districtsim import ema
from districtsim.errors import ScenarioError
from districtsim.params import param_rows
from districtsim.results import yearly_values
from districtsim.rng import replicate_seed
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "experiments" / "ema_prim" / "scenario_discovery.py"
RESULTS = EXAMPLE.parent / "results"
README = ROOT / "experiments" / "README.md"
TINY = {"months": 12, "scale": 0.01}


@pytest.fixture
def workbench():
    """EMA Workbench, or a skip outside CI when it is not installed."""
    try:
        return ema.workbench()
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"EMA Workbench not installed ({ema.INSTALL})")


def test_without_the_package_the_error_is_one_line_naming_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import fails as if not installed
    with pytest.raises(ImportError) as info:
        ema.workbench()
    message = str(info.value)
    assert "\n" not in message, message
    assert "pip install 'districtsim[ema]'" in message, message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_uncertainties_are_the_declared_plausible_ranges(workbench) -> None:
    declared = {
        f"{r['section']}.{r['name']}": r for r in param_rows() if r["plausible"] is not None
    }
    made = ema.uncertainties()
    assert [p.variable_name[0] for p in made] == list(declared)
    for p in made:
        path = p.variable_name[0]
        assert p.name == ema.ema_name(path) and p.name.isidentifier()
        assert ema.parameter_path(p.name) == path
        assert (p.lower_bound, p.upper_bound) == declared[path]["plausible"], path
        integer = isinstance(declared[path]["default"], int)
        assert isinstance(p, workbench.IntegerParameter) == integer, path
    mob = ema.uncertainties(sections=["mobilisation"], exclude=["mobilisation.tau"])
    assert [p.variable_name[0] for p in mob] == [
        p for p in declared if p.startswith("mobilisation.") and p != "mobilisation.tau"
    ]
    one = ema.uncertainties(["network.ties_per_resident"])
    assert isinstance(one[0], workbench.IntegerParameter)


def test_fixed_and_unknown_parameters_are_refused(workbench) -> None:
    with pytest.raises(ScenarioError, match=r"associations\.mode_cut is fixed \(definition"):
        ema.uncertainties(["associations.mode_cut"])
    with pytest.raises(ScenarioError, match=r"did you mean 'mobilisation\.tau'"):
        ema.uncertainties(["mobilisation.tua"])
    with pytest.raises(ScenarioError, match="a section"):
        ema.uncertainties(sections=["mobilization"])


def test_measures_are_declared_columns_summarised_as_compare_does(workbench) -> None:
    with pytest.raises(ScenarioError, match="did you mean 'participation_rate'"):
        ema.measure("participation", "Traditional")
    with pytest.raises(ScenarioError, match="a mode"):
        ema.measure("mode_share", "Traditional", modes=["creativ"])
    with pytest.raises(ScenarioError, match="a district and one or more"):
        ema.measure("mode_share", modes=["creative"])
    assert (
        ema.measure("price_eur_m2", "Taka-Töölö", year=0).name == "price_eur_m2__Taka_Töölö_year0"
    )
    result = run_scenario(load_scenario("two_districts").with_values(_scenario_keys(25)), seed=2)
    yearly = yearly_values(result, [("district", "moves_in_persons"), ("city", "price_gini")])
    moves = ema.measure("moves_in_persons", "Creative", year=1)
    gini = ema.measure("price_gini")  # the last year: months 24..24, one month
    assert (
        moves.value(result) == yearly.query("district == 'Creative' and year == 1")["value"].item()
    )
    assert gini.value(result) == result.city["price_gini"].iloc[-1]
    d = result.districts
    last = d[(d["district"] == "Creative") & (d["month"] >= 12) & (d["month"] < 24)]
    share = ema.measure("mode_share", "Creative", year=1, modes=["creative"])
    assert share.value(result) == np.mean(last["mode"].astype(str) == "creative")
    assert isinstance(share.value(result), float) and isinstance(gini.value(result), float)


def _scenario_keys(months: int, scale: float = 0.01) -> dict[str, object]:
    return {"scenario.months": months, "scenario.scale": scale}


def test_numpy_values_pass_straight_through_to_the_run(workbench) -> None:
    measures = [ema.measure("participation_rate"), ema.measure("participation_rate", "Creative")]
    model = ema.districtsim_model("two_districts", measures, **TINY)
    numpy_values = {
        "network.ties_per_resident": np.int64(8),
        "mobilisation.tau": np.float64(0.1),
        "program.sparring": np.bool_(False),
    }
    got = model.function(seed=np.int64(5), **numpy_values)
    plain = {"network.ties_per_resident": 8, "mobilisation.tau": 0.1, "program.sparring": False}
    scenario = load_scenario("two_districts").with_values({**_scenario_keys(12), **plain})
    result = run_scenario(scenario, seed=5)
    assert got == {m.name: m.value(result) for m in measures}
    assert all(type(v) is float for v in got.values()), got
    assert pickle.loads(pickle.dumps(model.function)) == model.function


def test_replicates_run_on_the_projects_seeds_with_common_random_numbers(workbench) -> None:
    measures = [ema.measure("participation_rate", "Traditional"), ema.measure("population")]
    model = ema.districtsim_model(
        "two_districts",
        measures,
        uncertainties=["mobilisation.tau", "network.ties_per_resident"],
        replicates=2,
        root_seed=41,
        **TINY,
    )
    assert [r for r in model.replications] == [{"seed": 41}, {"seed": 42}]
    experiments, outcomes = workbench.perform_experiments(
        model, scenarios=2, uncertainty_sampling_kwargs={"rng": 3}, log_progress=True
    )
    assert outcomes["population"].shape == (2, 2)
    assert experiments["network__ties_per_resident"].dtype == np.int64  # numpy ints go in
    base = load_scenario("two_districts").with_values(_scenario_keys(12))
    for i, row in experiments.iterrows():
        values = {
            "mobilisation.tau": row["mobilisation__tau"],
            "network.ties_per_resident": row["network__ties_per_resident"],
        }
        for r in range(2):
            result = run_scenario(base.with_values(values), seed=replicate_seed(41, r))
            for m in measures:
                assert outcomes[m.name][i, r] == m.value(result), (m.name, i, r)
    # The two experiments differ only in their inputs: the same seeds, different values.
    assert not np.array_equal(
        outcomes["participation_rate__Traditional"][0],
        outcomes["participation_rate__Traditional"][1],
    )


def test_levers_are_whole_scenarios_and_their_districts_are_checked(workbench) -> None:
    measures = [ema.measure("participation_rate", "Kallio")]
    model = ema.districtsim_model(
        "baseline", measures, levers=["baseline", "coaching"], months=2, scale=0.01, root_seed=1
    )
    (lever,) = model.levers
    assert lever.name == ema.LEVER and [c.value for c in lever.categories] == [
        "baseline",
        "coaching",
    ]
    got = model.function(seed=1, **{ema.LEVER: "coaching", "mobilisation.tau": 0.1})
    coaching = load_scenario("coaching").with_values(_scenario_keys(2) | {"mobilisation.tau": 0.1})
    assert got == {"participation_rate__Kallio": measures[0].value(run_scenario(coaching, 1))}
    assert [p[ema.LEVER] for p in ema.scenario_policies(["baseline", "coaching"])] == [
        "baseline",
        "coaching",
    ]
    with pytest.raises(ScenarioError, match="did you mean 'Kallio'"):
        ema.districtsim_model("baseline", [ema.measure("participation_rate", "Kalio")])
    with pytest.raises(ScenarioError, match="a district in this scenario"):
        ema.districtsim_model(
            "two_districts", [ema.measure("participation_rate", "Traditional")], levers=["baseline"]
        )
    with pytest.raises(ScenarioError, match="a year of 0..0 or -1"):
        ema.districtsim_model("two_districts", [ema.measure("population", year=1)], **TINY)


def load_example():
    spec = importlib.util.spec_from_file_location("ema_prim_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tiny_example_runs_prim_end_to_end(workbench, tmp_path) -> None:
    # At the tiny size (20 points, 24 months) no district collapses below 0.5%: a line of 3%
    # gives PRIM cases to peel.
    summary = load_example().main(["--tiny", "--collapse-below", "0.03", "--out", str(tmp_path)])
    assert summary["runs"] == 20 and summary["cases"]["collapse"] >= 2, summary
    table = pd.read_csv(tmp_path / "experiments.csv")
    assert len(table) == 20 and "mobilisation.theta_mean" in table
    box = pd.read_csv(tmp_path / "prim_collapse.csv")
    assert len(box) >= 1, "PRIM restricted no parameter"
    assert box["coverage"].between(0, 1).all() and box["density"].between(0, 1).all()
    assert (box["density"] > summary["cases"]["collapse"] / 20).all()  # denser than the space
    assert (box["low"] >= box["plausible_low"]).all() and (
        box["high"] <= box["plausible_high"]
    ).all()
    for name in ("prim_collapse_tradeoff.png", "prim_collapse_box.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG", name
    assert json.loads((tmp_path / "summary.json").read_text())["cases"] == summary["cases"]


def box_table(question: str) -> str:
    """Return the docs' markdown table of a committed PRIM box."""
    box = pd.read_csv(RESULTS / f"prim_{question}.csv")
    lines = ["| parameter | box | plausible range | quasi-p |", "|---|---|---|---|"]
    for row in box.itertuples():
        qp = min(x for x in (row.qp_low, row.qp_high) if np.isfinite(x))
        lines.append(
            f"| `{row.parameter}` | {row.low:.3g} to {row.high:.3g} | "
            f"{row.plausible_low:g} to {row.plausible_high:g} | {qp:.2g} |"
        )
    return "\n".join(lines)


def test_the_docs_quote_the_committed_results() -> None:
    text = README.read_text(encoding="utf-8")
    summary = json.loads((RESULTS / "summary.json").read_text(encoding="utf-8"))
    box = pd.read_csv(RESULTS / "prim_collapse.csv")
    assert box_table("collapse") in text, box_table("collapse")
    stats = box.iloc[0]
    quoted = (
        f"{summary['cases']['collapse']} of {summary['n']} points; the box holds "
        f"{stats['coverage']:.0%} of them (coverage) and {stats['density']:.0%} of its points "
        f"are cases (density)"
    )
    assert quoted in re.sub(r"\s+", " ", text), quoted
    size = f"{summary['n']} points x {summary['replicates']} replicates"
    assert size in re.sub(r"\s+", " ", text), size
