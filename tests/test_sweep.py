"""Sweeps (districtsim.experiment, districtsim.sweep, ``districtsim sweep``).

Spec, design, seeds, runner, resume, failures.

Every sweep here is tiny: two_districts, scale 0.01, 12-24 months.

A failing run without monkeypatching (workers are spawned processes): the
``failing`` experiment varies ``program.municipality_share`` and
``program.state_share`` as categories. Each value is valid on its own (so the
experiment loads), but the grid point (0.8, 0.5) breaks the rule
``municipality_share + state_share <= 1``, which is checked when the run's
scenario is built inside the worker: that run raises, is recorded in
``failures/`` and the sweep goes on.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from districtsim.cli import main
from districtsim.errors import ScenarioError
from districtsim.experiment import (
    EXPERIMENT_DIR,
    design_size,
    experiment_from_dict,
    experiment_hash,
    load_experiment,
    run_seed,
)
from districtsim.params import Mobilisation, param_rows
from districtsim.rng import SEED_SCHEME, replicate_seed, replicate_seeds
from districtsim.sweep import (
    FAILURE_COLUMNS,
    MONTHLY_COLUMNS,
    RUN_COLUMNS,
    YEARLY_COLUMNS,
    load_failures,
    load_sweep,
    run_experiment,
    sweep_table,
)

FAILING = """
[experiment]
name = "failing"
scenario = "two_districts"
root_seed = 11
replicates = 2
months = 12
scale = 0.01

[[inputs]]
name = "program.municipality_share"
kind = "category"
values = [0.3, 0.8]

[[inputs]]
name = "program.state_share"
kind = "category"
values = [0.1, 0.5]

[design]
method = "grid"

[outputs]
variables = ["reputation", "price_eur_m2", "moves_out_persons"]
months = [0, 11]
scope = "district"
"""

KILLABLE = """
# twelve runs of 24 months: long enough to be killed part-way
[experiment]
name = "killable"
scenario = "two_districts"
root_seed = 7
replicates = 2
months = 24
scale = 0.01

[[inputs]]
name = "mobilisation.tau"
kind = "continuous"
lo = 0.05
hi = 0.12

[[inputs]]
name = "communication.lapse_grace_months"
kind = "integer"
lo = 1
hi = 6

[design]
method = "lhs"
n = 6
seed = 3

[outputs]
variables = ["reputation", "reputation_mean", "price_gini", "moves_out_persons"]
summary = "yearly"
scope = "both"
"""


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _base() -> dict:
    return {
        "experiment": {"name": "t", "scenario": "two_districts", "root_seed": 1, "replicates": 1},
        "inputs": [
            {"name": "mobilisation.tau", "kind": "continuous", "lo": 0.05, "hi": 0.1},
            {"name": "communication.lapse_grace_months", "kind": "integer", "lo": 1, "hi": 4},
        ],
        "design": {"method": "lhs", "n": 4, "seed": 1},
        "outputs": {"variables": ["reputation"], "summary": "yearly", "scope": "both"},
    }


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        (
            lambda d: d["inputs"][0].update(name="mobilisation.nope"),
            "inputs[0].name",
            "a parameter of [mobilisation]",
        ),
        (
            lambda d: d["inputs"][0].update(name="nosection.tau"),
            "inputs[0].name",
            "section is one of",
        ),
        (
            lambda d: d["inputs"][0].update(kind="ordinal"),
            "inputs[0].kind",
            "one of continuous, integer, category, scenario",
        ),
        (lambda d: d["inputs"][0].update(hi=0.01), "inputs[0].hi", "a value above lo"),
        (lambda d: d["inputs"][0].update(lo=-1.0), "inputs[0].lo", "a value in [1e-06, inf]"),
        (
            lambda d: d["inputs"][1].update(kind="continuous", lo=1.0, hi=4.0),
            "inputs[1].kind",
            "integer or category",
        ),
        (
            lambda d: d["inputs"].append(
                {
                    "name": "program.allocation",
                    "kind": "category",
                    "values": ["competitive", "lottery"],
                }
            ),
            "inputs[2].values[1]",
            "one of competitive, equal",
        ),
        (
            lambda d: d["design"].update(method="factorial"),
            "design.method",
            "one of grid, lhs, sobol, morris",
        ),
        (lambda d: d["design"].update(method="sobol", n=6), "design.n", "a power of 2"),
        (
            lambda d: d["design"].update(method="grid", n=None) or d["design"].pop("n"),
            "inputs[0].levels",
            "grid levels",
        ),
        (
            lambda d: d["outputs"].update(variables=["reputation_mean"], scope="district"),
            "outputs.variables[0]",
            "districts.parquet",
        ),
        (lambda d: d["outputs"].update(months=[0]), "outputs.summary", "either summary"),
        (
            lambda d: d["experiment"].update(scenario="no_such_scenario"),
            "experiment.scenario",
            "bundled name",
        ),
        (lambda d: d["experiment"].update(replicates=0), "experiment.replicates", "a value in [1,"),
        (
            lambda d: d.update(extra={}),
            "extra",
            "one of experiment, inputs, plausible, design, outputs",
        ),
    ],
)
def test_validation_errors_name_file_key_found_and_expected(change, key, expected):
    raw = _base()
    change(raw)
    with pytest.raises(ScenarioError) as info:
        experiment_from_dict(raw, "exp.toml")
    err = info.value
    assert err.file == "exp.toml" and err.key == key, err.one_line()
    assert expected in err.expected, err.one_line()
    assert "\n" not in err.one_line()


def test_an_input_without_bounds_is_sampled_over_its_plausible_range():
    """An input without ``lo`` and ``hi`` takes its parameter's plausible range (docs/ODD.md 10).

    A parameter marked fixed has none, so its input needs both bounds.
    """
    raw = _base()
    raw["inputs"][0] = {"name": "mobilisation.tau", "kind": "continuous"}
    exp = experiment_from_dict(raw, "exp.toml")
    (tau,) = [i for i in exp.inputs if i.name == "mobilisation.tau"]
    meta = next(f for f in dataclasses.fields(Mobilisation) if f.name == "tau").metadata
    assert (tau.lo, tau.hi) == meta["plausible"], (tau, meta["plausible"])
    assert tau.lo < Mobilisation().tau < tau.hi
    fixed = next(
        r for r in param_rows() if r["plausible"] is None and isinstance(r["default"], float)
    )
    raw["inputs"][0] = {"name": f"{fixed['section']}.{fixed['name']}", "kind": "continuous"}
    with pytest.raises(ScenarioError) as info:
        experiment_from_dict(raw, "exp.toml")
    assert info.value.key == "inputs[0].lo" and "fixed" in info.value.expected, (
        info.value.one_line()
    )


def test_a_plausible_table_adds_every_behavioural_parameter_of_its_sections():
    """``[plausible]``: one input per behavioural parameter, over its plausible range.

    Fixed parameters and ``exclude`` are left out; an explicit ``[[inputs]]`` table for a
    parameter takes precedence; an unknown section is refused with its key.
    """
    raw = _base()
    raw["plausible"] = {"sections": ["mobilisation", "identity"], "exclude": ["identity.w_events"]}
    exp = experiment_from_dict(raw, "exp.toml")
    expected = [
        f"{r['section']}.{r['name']}"
        for r in param_rows()
        if r["section"] in ("mobilisation", "identity") and r["plausible"] is not None
    ]
    names = [i.name for i in exp.inputs]
    assert names[:2] == ["mobilisation.tau", "communication.lapse_grace_months"], names
    assert set(names[2:]) == set(expected) - {"mobilisation.tau", "identity.w_events"}, names
    tau = exp.inputs[0]
    assert (tau.lo, tau.hi) == (0.05, 0.1), "the explicit input keeps its own bounds"
    bounds = {f"{r['section']}.{r['name']}": r["plausible"] for r in param_rows()}
    assert all((i.lo, i.hi) == bounds[i.name] for i in exp.inputs[2:])
    del raw["inputs"]
    assert len(experiment_from_dict(raw, "exp.toml").inputs) == len(expected) - 1
    raw["plausible"] = {"sections": ["nowhere"]}
    with pytest.raises(ScenarioError) as info:
        experiment_from_dict(raw, "exp.toml")
    assert info.value.key == "plausible.sections", info.value.one_line()


def test_cli_reports_a_bad_experiment_in_one_line(tmp_path, capsys):
    path = _write(tmp_path, "bad", KILLABLE.replace('kind = "integer"', 'kind = "ordinal"'))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err.count("\n") == 0
        and "inputs[1].kind: found 'ordinal'; expected one of continuous" in err
    ), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("design", "size"),
    [
        ({"method": "lhs", "n": 5}, 5),
        ({"method": "sobol", "n": 8}, 8 * (3 + 2)),
        ({"method": "sobol", "n": 8, "calc_second_order": True}, 8 * (2 * 3 + 2)),
        ({"method": "morris", "n": 4, "num_levels": 4}, 4 * (3 + 1)),
        ({"method": "grid", "levels": 3}, 3 * 4 * 2),
    ],
)
def test_design_sizes_and_values_within_the_inputs(design, size):
    raw = _base()
    raw["inputs"].append(
        {"name": "program.allocation", "kind": "category", "values": ["competitive", "equal"]}
    )
    raw["design"] = {**design, "seed": 4}
    exp = experiment_from_dict(raw, "exp.toml")
    points = exp.design().points
    assert len(points) == size == design_size(exp)
    assert points["mobilisation.tau"].between(0.05, 0.1).all()
    assert set(points["communication.lapse_grace_months"]) <= {1, 2, 3, 4}
    assert points["communication.lapse_grace_months"].dtype == np.int64
    assert set(points["program.allocation"]) <= {"competitive", "equal"}
    if design["method"] == "grid":
        assert len(points.drop(columns="point").drop_duplicates()) == size
        assert sorted(points["mobilisation.tau"].unique()) == pytest.approx([0.05, 0.075, 0.1])
    pd.testing.assert_frame_equal(
        points, exp.design().points
    )  # the same spec gives the same design
    runs = exp.runs()
    assert list(runs["run_id"]) == list(range(size))  # one replicate


def test_seeds_depend_only_on_root_and_replicate_and_match_compare():
    assert run_seed(9, 3, 1) == run_seed(9, 0, 1) == replicate_seed(9, 1) == 10, (
        "expected the seed of replicate 1 to be root + 1 at every design point"
    )
    assert replicate_seed(2**63 - 1, 2) == 1, "expected seeds to wrap around at 2**63"
    raw = _base()
    raw["experiment"].update(root_seed=9, replicates=3)
    runs = experiment_from_dict(raw, "exp.toml").runs()
    assert runs["point"].nunique() > 1
    assert list(runs["run_id"]) == list(runs["point"] * 3 + runs["replicate"])
    assert list(runs["seed"]) == [9 + r for r in runs["replicate"]], (
        "expected seed root + replicate at every point (common random numbers across points)"
    )
    per_point = runs.groupby("point")["seed"].apply(list)
    assert all(seeds == [9, 10, 11] for seeds in per_point), per_point
    assert per_point.iloc[0] == replicate_seeds(9, 3), "expected the seeds compare uses"
    raw["experiment"]["root_seed"] = 10
    shifted = experiment_from_dict(raw, "exp.toml").runs()["seed"]
    assert list(shifted) == [s + 1 for s in runs["seed"]]


@pytest.fixture(scope="module")
def failing_sweep(tmp_path_factory):
    """The failing experiment swept with one worker (in-process).

    4 points x 2 replicates; runs 6 and 7 fail.
    """
    tmp = tmp_path_factory.mktemp("failing")
    path = _write(tmp, "failing", FAILING)
    result = run_experiment(load_experiment(str(path)), tmp / "w1", workers=1)
    return path, tmp / "w1", result


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(failing_sweep):
    _, out, result = failing_sweep
    assert (result.n_runs, result.n_ok, result.n_failed, result.n_missing) == (8, 6, 2, 0)
    failures = load_failures(out)
    assert list(failures["run_id"]) == [6, 7]
    assert (failures["program.municipality_share"] == 0.8).all() and (
        failures["program.state_share"] == 0.5
    ).all()
    assert (
        failures["error"].str.contains("state_share").all()
        and failures["traceback"].str.contains("Traceback").all()
    )
    inputs, outcomes = load_sweep(out)
    assert list(inputs["status"]) == ["ok"] * 6 + ["failed"] * 2
    assert sorted(outcomes["run_id"].unique()) == list(range(6))
    assert list(outcomes.columns) == ["run_id", "scope", "district", "variable", "month", "value"]
    assert set(outcomes["month"]) == {0, 11} and set(outcomes["scope"]) == {"district"}
    assert len(outcomes) == 6 * 2 * 3 * 2  # runs x districts x variables x months


def test_sweep_table_is_one_row_per_run_with_plain_outcome_names(failing_sweep):
    _, out, _ = failing_sweep
    inputs, outcomes = load_sweep(out)
    table = sweep_table(out)  # the last kept month, 11
    assert list(table.index) == list(inputs.index)
    assert list(table.columns[: len(inputs.columns)]) == list(inputs.columns)
    names = [
        f"{v}[{d}]"
        for d in ("Creative", "Traditional")
        for v in ("reputation", "price_eur_m2", "moves_out_persons")
    ]
    assert sorted(table.columns[len(inputs.columns) :]) == sorted(names)
    last = outcomes[outcomes["month"] == 11]
    for row in last.sample(6, random_state=1).itertuples():
        assert table.loc[row.run_id, f"{row.variable}[{row.district}]"] == row.value
    assert table.loc[table["status"] == "failed", names].isna().all().all()
    # the documented recipe: a plain join-free frame that plots and groups directly
    ok = table[table["status"] == "ok"]
    means = ok.groupby("program.municipality_share")["reputation[Creative]"].mean()
    assert len(means) == 2 and means.notna().all()
    first = sweep_table(out, when=0)
    assert not first["reputation[Creative]"].equals(table["reputation[Creative]"])


def test_sweep_table_tidy_and_a_missing_period_is_one_line(failing_sweep):
    _, out, _ = failing_sweep
    inputs, outcomes = load_sweep(out)
    tidy = sweep_table(out, tidy=True)
    assert len(tidy) == len(outcomes)
    assert {"point", "seed", "program.state_share", "variable", "month", "value"} <= set(
        tidy.columns
    )
    assert (tidy["status"] == "ok").all()
    with pytest.raises(
        ScenarioError, match=r"month: found '5'; expected one of the kept months \(0, 11\)"
    ):
        sweep_table(out, when=5)


def test_workers_1_and_2_give_identical_tables(failing_sweep, tmp_path):
    path, out1, _ = failing_sweep
    result = run_experiment(load_experiment(str(path)), tmp_path / "w2", workers=2, batch_runs=3)
    assert (result.n_ok, result.n_failed) == (6, 2)
    assert len(list((tmp_path / "w2" / "runs").glob("part-*.parquet"))) >= 2  # batched differently
    for a, b in zip(load_sweep(out1), load_sweep(tmp_path / "w2"), strict=True):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(
        load_failures(out1).drop(columns="traceback"),
        load_failures(tmp_path / "w2").drop(columns="traceback"),
    )


def test_design_points_share_common_random_numbers(failing_sweep):
    """Points 0-2 differ only in the program's budget shares, which two_districts never uses.

    Under common random numbers they give bit-identical outcomes replicate by
    replicate, while the two replicates differ.
    """
    _, out, _ = failing_sweep
    inputs, outcomes = load_sweep(out, wide=True)
    ok = inputs[inputs["status"] == "ok"]
    assert sorted(ok["point"].unique()) == [0, 1, 2]
    assert ok.groupby("replicate")["seed"].nunique().eq(1).all(), (
        "expected one seed per replicate across points"
    )
    for rep, runs in ok.groupby("replicate"):
        values = outcomes.loc[runs.index].to_numpy()
        assert (values == values[0]).all(), (
            f"replicate {rep}: expected identical outcomes at points that differ only in an "
            "unused parameter (common random numbers)"
        )
    r0, r1 = (outcomes.loc[ok.index[ok["replicate"] == r][0]] for r in (0, 1))
    assert not r0.equals(r1), "expected the two replicates to differ (the seed matters)"
    sweep = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert sweep["seed_scheme"] == SEED_SCHEME


def test_resume_refuses_a_sweep_of_another_seed_scheme(failing_sweep, tmp_path, capsys):
    path, out1, _ = failing_sweep
    out = tmp_path / "old"
    shutil.copytree(out1, out)
    info = out / "sweep.json"
    meta = json.loads(info.read_text(encoding="utf-8"))
    meta["seed_scheme"] = (
        "SeedSequence(entropy=root_seed, spawn_key=(point, replicate))"
        ".generate_state(1, uint64)[0] >> 1"
    )  # the scheme of sweeps before common random numbers across points
    info.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        run_experiment(load_experiment(str(path)), out)
    assert err.value.key == "seed_scheme" and "new --out folder" in err.value.expected
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 2
    last = capsys.readouterr().err.splitlines()[-1]  # after the sweep's header line
    assert last.startswith("districtsim: ") and "seed_scheme" in last and SEED_SCHEME in last, last


def test_cli_rerun_runs_nothing_and_exits_1_naming_the_failures(failing_sweep, tmp_path, capsys):
    path, out1, _ = failing_sweep
    out = tmp_path / "copy"
    shutil.copytree(out1, out)
    before = sorted(p.name for p in (out / "runs").iterdir())
    assert (
        main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 1
    )
    err = capsys.readouterr().err
    assert (
        "resuming: 8 of 8 runs already" in err
        and "2 of 8 runs failed" in err
        and str(out / "failures") in err
    )
    assert sorted(p.name for p in (out / "runs").iterdir()) == before


def test_resume_refuses_a_changed_experiment(failing_sweep, tmp_path, capsys):
    path, out1, _ = failing_sweep
    out = tmp_path / "copy"
    shutil.copytree(out1, out)
    commented = _write(tmp_path, "commented", "# only a comment added\n" + FAILING)
    assert experiment_hash(load_experiment(str(commented))) == experiment_hash(
        load_experiment(str(path))
    )
    changed = _write(tmp_path, "changed", FAILING.replace("root_seed = 11", "root_seed = 12"))
    with pytest.raises(ScenarioError) as info:
        run_experiment(load_experiment(str(changed)), out)
    assert (
        info.value.key == "experiment_hash"
        and "changed since this sweep started" in info.value.expected
    )
    assert main(["sweep", str(changed), "--out", str(out), "--quiet"]) == 2
    assert "experiment_hash" in capsys.readouterr().err
    with pytest.raises(ScenarioError, match="an earlier sweep"):
        run_experiment(load_experiment(str(path)), out, resume=False)
    with pytest.raises(ScenarioError, match="a folder with an earlier sweep to resume"):
        run_experiment(load_experiment(str(path)), tmp_path / "empty", require_existing=True)


def test_a_changed_scenario_lever_file_changes_the_hash(tmp_path):
    lever = tmp_path / "alt.toml"
    lever.write_text(
        '[scenario]\nbase = "two_districts"\nname = "alt"\n\n[mobilisation]\ntau = 0.1\n',
        encoding="utf-8",
    )
    text = FAILING.replace('scenario = "two_districts"\n', "").replace(
        '[[inputs]]\nname = "program.state_share"\nkind = "category"\nvalues = [0.1, 0.5]\n',
        '[[inputs]]\nname = "policy"\nkind = "scenario"\nvalues = ["two_districts", "alt.toml"]\n',
    )
    exp = load_experiment(str(_write(tmp_path, "lever", text)))
    assert list(exp.design().points["policy"]) == [
        "two_districts",
        "alt.toml",
        "two_districts",
        "alt.toml",
    ]
    assert (
        exp.scenario_for(
            {"policy": "alt.toml", "program.municipality_share": 0.3}
        ).params.mobilisation.tau
        == 0.1
    )
    before = experiment_hash(exp)
    lever.write_text(
        lever.read_text(encoding="utf-8").replace("tau = 0.1", "tau = 0.11"), encoding="utf-8"
    )  # also changes the size: read again
    assert experiment_hash(load_experiment(str(tmp_path / "lever.toml"))) != before


def _kill_sweep_when(path: Path, out: Path, extra: list[str], ready, what: str) -> None:
    """Run ``districtsim sweep`` on one worker in a subprocess; SIGKILL it once ``ready()`` holds.

    ``ready()`` must hold within 60 s.
    """
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cmd = [
        sys.executable,
        "-m",
        "districtsim.cli",
        "sweep",
        str(path),
        "--out",
        str(out),
        *extra,
        "--workers",
        "1",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while not ready():
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, f"no {what} after 60 s"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    path = _write(tmp_path, "killable", KILLABLE)
    out = tmp_path / "killed"
    _kill_sweep_when(
        path,
        out,
        ["--batch-runs", "1"],
        lambda: bool(list(out.glob("runs/part-*.parquet"))),
        "a part file",
    )
    exp = load_experiment(str(path))
    n_written = len(load_sweep(out)[1]["run_id"].unique())
    assert 1 <= n_written < 12, n_written
    (out / "runs" / ".part-000000099-1.parquet.abc.tmp").write_bytes(
        b"half a file"
    )  # a write cut off by the kill
    resumed = run_experiment(exp, out, workers=1)
    assert resumed.ran == 12 - n_written and resumed.n_ok == 12
    assert not list((out / "runs").glob(".*.tmp"))
    reference = run_experiment(exp, tmp_path / "whole", workers=1)
    assert reference.ran == 12
    inputs, outcomes = load_sweep(out)
    ids = pd.concat(
        [
            pd.read_parquet(p, columns=["run_id"]).drop_duplicates()
            for p in (out / "runs").glob("part-*.parquet")
        ]
    )["run_id"]
    assert sorted(ids) == list(range(12))  # every run present exactly once
    assert (inputs["status"] == "ok").all()
    for a, b in zip((inputs, outcomes), load_sweep(tmp_path / "whole"), strict=True):
        pd.testing.assert_frame_equal(a, b)
    wide = load_sweep(out, wide=True)[1]
    assert list(wide.index) == list(range(12)) and ("city", "", "price_gini", 1) in wide.columns


def test_a_killed_sweep_with_large_batches_loses_no_finished_run(tmp_path):
    """Default batching (1000 runs or 30 s per part file).

    The journal keeps every run finished before SIGKILL.
    """
    path = _write(tmp_path, "killable", KILLABLE)
    out = tmp_path / "killed"
    _kill_sweep_when(
        path,
        out,
        [],
        lambda: len(list(out.glob("runs/pending/run-*.parquet"))) >= 3,
        "three journal files",
    )
    journaled = {int(p.stem.split("-")[1]) for p in out.glob("runs/pending/run-*.parquet")}
    assert not list(out.glob("runs/part-*.parquet")), (
        "expected no part file yet (the batch was not full): the journal alone holds the runs"
    )
    inputs, outcomes = load_sweep(out)
    assert (
        set(outcomes["run_id"].unique()) == journaled
        and set(inputs.index[inputs["status"] == "ok"]) == journaled
    ), "expected every journaled run loadable after the kill"
    resumed = run_experiment(load_experiment(str(path)), out, workers=1)
    assert resumed.ran == 12 - len(journaled) and resumed.n_ok == 12
    assert not list(out.glob("runs/pending/*")), "expected the journal merged into part files"
    ids = pd.concat(
        [
            pd.read_parquet(p, columns=["run_id"]).drop_duplicates()
            for p in (out / "runs").glob("part-*.parquet")
        ]
    )["run_id"]
    assert sorted(ids) == list(range(12)), "expected every run exactly once in the part files"


def test_bundled_experiments_validate():
    sizes = {}
    for path in sorted(EXPERIMENT_DIR.glob("*.toml")):
        exp = load_experiment(str(path))
        sizes[exp.name] = design_size(exp) * exp.replicates
        # the run table of every design, without warnings (many inputs once fragmented it)
        assert len(exp.runs()) == sizes[exp.name]
    assert sizes == {
        "calibration_default_city": 200,
        "morris_default_city": 3180,
        "program_grid": 120,
        "smoke": 8,
        "sobol_default_city": 2304,
        "sobol_reputation": 10240,
    }


def _documented(heading: str) -> set[str]:
    text = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    first_cells = re.findall(r"^\| ([^|]+) \|", section, flags=re.MULTILINE)
    return {name for cell in first_cells for name in re.findall(r"`([^`]+)`", cell)}


def test_every_sweep_column_is_in_outputs_md(failing_sweep):
    _, out, _ = failing_sweep
    assert set(RUN_COLUMNS) <= _documented("### sweep experiments.parquet")
    assert set(YEARLY_COLUMNS) | set(MONTHLY_COLUMNS) <= _documented("### sweep runs")
    assert set(FAILURE_COLUMNS) <= _documented("### sweep failures")
    assert set(json.loads((out / "sweep.json").read_text(encoding="utf-8"))) <= _documented(
        "### sweep.json"
    )


def test_a_scenarios_question_does_not_change_the_experiment_hash(tmp_path):
    """The question and focus say what a comparison reports first, not what runs: a sweep
    started before they existed (or before they were edited) can be resumed."""
    from districtsim.experiment import experiment_hash

    def hash_with(head: str) -> str:
        (tmp_path / "s.toml").write_text(
            f'[scenario]\nbase = "two_districts"\n{head}', encoding="utf-8"
        )
        (tmp_path / "e.toml").write_text(
            '[experiment]\nname = "e"\nscenario = "s.toml"\nroot_seed = 1\n'
            '[[inputs]]\nname = "mobilisation.tau"\nkind = "continuous"\n'
            '[design]\nmethod = "lhs"\nn = 2\n'
            '[outputs]\nvariables = ["participation_rate"]\nsummary = "yearly"\n',
            encoding="utf-8",
        )
        return experiment_hash(load_experiment(str(tmp_path / "e.toml")))

    plain = hash_with("")
    assert hash_with('question = "Q?"\nfocus_outcomes = ["identity"]\n') == plain
    assert hash_with("[mobilisation]\ntheta_mean = 1.0\n") != plain, "a parameter still counts"


@pytest.mark.parametrize(
    ("name", "close"),
    [("participation_rate_mean", "participation_rate"), ("reputaton", "reputation_mean")],
)
def test_a_misnamed_output_variable_gets_a_did_you_mean(name, close):
    from districtsim.experiment import experiment_from_dict

    raw = {
        "experiment": {"name": "x", "scenario": "two_districts", "root_seed": 1},
        "inputs": [{"name": "mobilisation.tau", "kind": "continuous"}],
        "design": {"method": "lhs", "n": 2},
        "outputs": {"variables": [name], "summary": "yearly", "scope": "city"},
    }
    with pytest.raises(ScenarioError) as info:
        experiment_from_dict(raw, "x.toml")
    assert info.value.key == "outputs.variables[0]"
    assert f"did you mean {close!r}?" in info.value.expected, info.value.one_line()


def test_reading_a_folder_without_a_sweep_is_a_one_line_error(tmp_path):
    from districtsim.sweep import load_failures, load_sweep

    for reader in (load_sweep, load_failures):
        with pytest.raises(ScenarioError) as info:
            reader(tmp_path)
        assert "a folder written by districtsim sweep" in info.value.expected


def test_resume_into_a_missing_folder_leaves_nothing_behind(tmp_path):
    out = tmp_path / "nowhere"
    with pytest.raises(ScenarioError):
        run_experiment(load_experiment("smoke"), out, require_existing=True)
    assert not out.exists(), "expected no folder and no .sweep.lock"


def test_dry_run_prints_an_estimate_and_runs_nothing(tmp_path, capsys):
    from districtsim.cli import main

    out = tmp_path / "never"
    assert main(["sweep", "smoke", "--dry-run", "--out", str(out), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "smoke.toml: ok (8 runs)" in printed
    assert "estimate: about" in printed and "on 2 worker(s)" in printed and "of results" in printed
    assert not out.exists(), "a dry run writes nothing"


def test_the_estimate_grows_with_the_runs_and_the_horizon():
    import dataclasses

    from districtsim.sweep import estimate_sweep

    exp = load_experiment("smoke")
    one = estimate_sweep(exp, 1)
    assert one.seconds_per_run > 0 and one.disk_bytes > 0
    assert estimate_sweep(exp, 1, runs=80).disk_bytes == 10 * one.disk_bytes
    longer = estimate_sweep(dataclasses.replace(exp, months=120), 1)
    assert longer.disk_bytes == 10 * one.disk_bytes, "ten years keep ten times the values"


def test_a_long_sweep_asks_on_a_terminal(tmp_path, monkeypatch, capsys):
    """Over an hour expected: a terminal is asked (no: nothing written); --yes skips it."""
    import districtsim.sweep as sweep_module
    from districtsim.cli import main

    monkeypatch.setattr(
        sweep_module,
        "estimate_sweep",
        lambda exp, workers, runs=None: sweep_module.SweepEstimate(3600.0, 7200.0, 1000, 0.1),
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    out = tmp_path / "long"
    assert main(["sweep", "smoke", "--out", str(out), "--quiet"]) == 130
    assert "not started" in capsys.readouterr().err and not out.exists()
    assert main(["sweep", "smoke", "--out", str(out), "--quiet", "--yes"]) == 0
