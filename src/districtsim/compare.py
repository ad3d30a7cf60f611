"""Compare scenarios over replicates with common random numbers (``districtsim compare``).

Every scenario of a comparison (an *arm*) runs on the same list of seeds:
replicate ``r`` of every arm uses the root seed ``root_seed + r``
(:func:`districtsim.rng.replicate_seed`, the scheme of sweeps too; so
replicate 0 is exactly ``districtsim run SCENARIO --seed ROOT``). Because the
model draws every random number from named streams of that seed
(:mod:`districtsim.rng`), two arms that differ only in a policy share their
randomness, and the paired difference of an outcome between two arms on the
same seed is far less noisy than the difference of two independent runs
(common random numbers).

Runs go through :func:`run_compare_task` on an executor of
:mod:`districtsim.executors` (local processes, or a Dask cluster with
``districtsim compare --scheduler``); the calling process collects the
outcomes and writes each run's tables as it finishes. The results do not
depend on the executor or the number of workers.

Outcomes are summarised per program year (``year`` ``y`` = months ``12y`` to
``12y + 11``, October to September): the yearly mean of states and rates and
the yearly sum of flows, as :mod:`districtsim.outputs` declares them (see
:data:`OUTCOMES`; the same summariser as sweeps), per district and for the city,
plus the evaluation criteria of :mod:`districtsim.criteria` per district.
The per-replicate values (``replicates.parquet``) are kept, so any other
statistic can be computed later without re-running.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from districtsim.errors import ScenarioError
from districtsim.executors import Executor, LocalExecutor
from districtsim.outcomes import (  # re-exported: districtsim.compare.OUTCOMES etc.
    CRITERIA_PREFIX,
    CRITERIA_UNITS,  # noqa: F401
    OUTCOMES,
    Outcome,  # noqa: F401
    criteria_outcomes,
    outcome_direction,
    outcome_label,  # noqa: F401
    outcome_names,
    outcome_unit,
)
from districtsim.results import (
    RunResult,
    atomic_write,
    district_names,
    software_versions,
    write_results,
    yearly_values,
)
from districtsim.rng import SEED_SCHEME, replicate_seeds
from districtsim.scenario import Scenario

LEVEL = 0.95
"""Confidence level of every interval in the comparison tables."""


KEYS = ["scope", "district", "outcome", "year"]
EFFECTS_COLUMNS = [
    *KEYS,
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
"""Columns of ``effects.parquet`` (documented in docs/outputs.md)."""
REPLICATES_COLUMNS = [*KEYS, "months", "arm", "replicate", "seed", "value"]
"""Columns of ``replicates.parquet`` (documented in docs/outputs.md)."""


def yearly_outcomes(result: RunResult) -> pd.DataFrame:
    """Return one run's outcomes per program year: scope, district, outcome, year, months, value.

    City rows have an empty ``district``. ``months`` is the number of months
    of the year in the run (12, or fewer for a last partial year); criteria
    exist only for complete years. The yearly values of :data:`OUTCOMES` come
    from :func:`districtsim.results.yearly_values`, the summariser sweeps use.
    """
    frames = []
    for name, spec in OUTCOMES.items():
        for scope, source in (("district", spec.district), ("city", spec.city)):
            if source is not None:
                y = yearly_values(result, [(scope, source)])
                frames.append(y.assign(outcome=name)[[*KEYS, "months", "value"]])
    crit = result.criteria
    if crit is not None and len(crit):
        for col in criteria_outcomes():
            frames.append(
                pd.DataFrame(
                    {
                        "scope": "district",
                        "district": crit["district"].astype(str).to_numpy(),
                        "outcome": CRITERIA_PREFIX + col,
                        "year": crit["program_year"].to_numpy(),
                        "months": 12,
                        "value": crit[col].to_numpy(dtype=float),
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    df["year"] = df["year"].astype(np.int32)
    df["months"] = df["months"].astype(np.int32)
    return _order(df, district_names(result.districts))


def _order(df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Make scope, district and outcome ordered categoricals and sort.

    The city comes first, then the districts in scenario order.
    """
    df["scope"] = pd.Categorical(df["scope"], categories=["city", "district"], ordered=True)
    df["district"] = pd.Categorical(df["district"], categories=["", *names], ordered=True)
    df["outcome"] = pd.Categorical(df["outcome"], categories=outcome_names(), ordered=True)
    return df.sort_values(KEYS, kind="stable").reset_index(drop=True)


@dataclass
class Comparison:
    """What :func:`compare_scenarios` returns (and :func:`load_comparison` reads back).

    Attributes:
        arms: Arm labels (scenario names, made unique), the first is the reference.
        seeds: Seed of each replicate, shared by every arm.
        replicates: Per-run outcome values (``replicates.parquet``).
        effects: Means, confidence intervals and paired differences (``effects.parquet``).
        districts: The districts of the first arm: name, x_km, y_km, population (for maps).
        meta: Metadata written to ``meta.json``.
    """

    arms: list[str]
    seeds: list[int]
    replicates: pd.DataFrame
    effects: pd.DataFrame
    districts: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def arm_labels(scenarios: list[Scenario]) -> list[str]:
    """Return unique arm labels: each scenario's name, ``_2``, ``_3`` ... appended to repeats."""
    labels: list[str] = []
    for s in scenarios:
        base = _safe(s.name)
        label, k = base, 2
        while label in labels:
            label, k = f"{base}_{k}", k + 1
        labels.append(label)
    return labels


def _safe(name: str) -> str:
    """Return ``name`` usable as a folder name (letters, digits, ``_ . -``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "arm"


def check_arms(scenarios: list[Scenario]) -> None:
    """Raise :class:`ScenarioError` unless every arm has the first arm's districts and horizon.

    The districts must have the same names in the same order.
    """
    if not scenarios:
        raise ValueError("compare_scenarios needs at least one scenario")
    first = scenarios[0]
    ref = [d.name for d in first.districts]
    for s in scenarios[1:]:
        names = [d.name for d in s.districts]
        if names != ref:
            extra = [n for n in names if n not in ref]
            missing = [n for n in ref if n not in names]
            if extra or missing:
                found = (
                    f"{len(names)} districts; not in the first scenario: {_few(extra)}; "
                    f"missing: {_few(missing)}"
                )
            else:
                i = next(i for i, (a, b) in enumerate(zip(names, ref, strict=True)) if a != b)
                found = (
                    f"the same districts in another order ({names[i]} at position {i + 1}, "
                    f"where the first scenario has {ref[i]})"
                )
            raise ScenarioError(
                s.source or s.name,
                "districts",
                found,
                f"the same districts in the same order as {first.source or first.name} "
                f"({len(ref)} districts: {_few(ref)}), so that arms can be compared district "
                "by district",
            )
        if s.months != first.months:
            raise ScenarioError(
                s.source or s.name,
                "scenario.months",
                s.months,
                f"the same horizon as {first.source or first.name} ({first.months} months); "
                "set both with --months",
            )


def _few(names: list[str], k: int = 5) -> str:
    """Return up to ``k`` names joined, and how many more there are."""
    if not names:
        return "none"
    more = f" and {len(names) - k} more" if len(names) > k else ""
    return ", ".join(names[:k]) + more


@dataclass(frozen=True)
class CompareTask:
    """One run of a comparison: arm ``arm`` (index), replicate ``replicate``, on ``seed``.

    ``keep_tables`` asks for the run's tables back (to write them under ``runs/``).
    """

    arm: int
    replicate: int
    scenario: Scenario
    seed: int
    keep_tables: bool = False


@dataclass
class CompareRecord:
    """What a run of a comparison hands back: its yearly outcomes (and tables if asked)."""

    arm: int
    replicate: int
    outcomes: pd.DataFrame
    elapsed_seconds: float
    result: RunResult | None = None


def run_compare_task(task: CompareTask) -> CompareRecord:
    """Run one (arm, replicate) and return its yearly outcomes (module level: picklable).

    An error is raised (and ends the comparison): arms are checked before anything runs.
    """
    result = run_scenario_for_compare(task.scenario, task.seed)
    return CompareRecord(
        task.arm,
        task.replicate,
        yearly_outcomes(result),
        float(result.meta["elapsed_seconds"]),
        result if task.keep_tables else None,
    )


def run_scenario_for_compare(scenario: Scenario, seed: int) -> RunResult:
    """Run one replicate through the one seam, :func:`districtsim.run.run_scenario`."""
    from districtsim.run import run_scenario

    return run_scenario(scenario, seed=seed)


def compare_scenarios(
    scenarios: list[Scenario],
    replicates: int,
    workers: int = 1,
    root_seed: int | None = None,
    on_run: Callable[[str, int], None] | None = None,
    out: str | Path | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Run every scenario on the same seeds and compare the outcomes.

    Args:
        scenarios: The arms; the first is the reference the others are
            compared to. They must share the district list (same names,
            same order) and the horizon.
        replicates: Runs per arm (at least 1; with 1 there are no confidence intervals).
        workers: Parallel local processes (when ``executor`` is None); results
            do not depend on it.
        root_seed: Replicate ``r`` uses seed ``root_seed + r`` in every arm
            (:func:`districtsim.rng.replicate_seed`); None takes the first
            scenario's seed.
        on_run: Called in the calling process with (arm label, replicate)
            after each finished run (progress bars).
        out: If given, each finished run's tables are written to
            ``out/runs/<arm>/<replicate>/`` as soon as it finishes, and the
            comparison tables and ``meta.json`` at the end (:func:`write_comparison`).
        executor: Where the runs run (:mod:`districtsim.executors`, e.g. a
            ``DaskExecutor``; not closed here); None: a ``LocalExecutor`` of
            ``workers`` processes.

    Returns:
        The per-replicate values, the effects table and metadata.

    Raises:
        ScenarioError: If the arms' districts or horizons differ.
        ValueError: If ``replicates`` or ``workers`` is below 1.
        KeyboardInterrupt: After the finished runs are written (with ``out``).
        ClusterError: The Dask cluster failed (finished runs are written).
    """
    _check_counts(replicates, workers)
    check_arms(scenarios)
    started = time.perf_counter()
    labels = arm_labels(scenarios)
    root = scenarios[0].seed if root_seed is None else int(root_seed)
    seeds = replicate_seeds(root, replicates)
    tasks = _compare_tasks(scenarios, seeds, keep_tables=out is not None)
    outcomes, elapsed, where = _run_tasks(tasks, labels, workers, executor, out, on_run)
    reps = _replicate_table(outcomes, labels, seeds)
    effects = effects_table(reps, labels)
    districts = _district_table(scenarios[0])
    local_workers = workers if executor is None else None
    meta = _comparison_meta(scenarios, labels, seeds, root, local_workers, where, elapsed, started)
    comparison = Comparison(
        arms=labels, seeds=seeds, replicates=reps, effects=effects, districts=districts, meta=meta
    )
    if out is not None:
        write_comparison(comparison, out)
    return comparison


def _check_counts(replicates: int, workers: int) -> None:
    """Raise ValueError if ``replicates`` or ``workers`` is below 1."""
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")


def _compare_tasks(
    scenarios: list[Scenario], seeds: list[int], keep_tables: bool
) -> list[CompareTask]:
    """Return one task per (arm, replicate), arm by arm, each replicate on its shared seed."""
    return [
        CompareTask(a, r, s, seed, keep_tables=keep_tables)
        for a, s in enumerate(scenarios)
        for r, seed in enumerate(seeds)
    ]


def _run_tasks(
    tasks: list[CompareTask],
    labels: list[str],
    workers: int,
    executor: Executor | None,
    out: str | Path | None,
    on_run: Callable[[str, int], None] | None,
) -> tuple[dict[tuple[int, int], pd.DataFrame], dict[tuple[int, int], float], str]:
    """Run the tasks; return outcomes and run times by (arm, replicate), and where they ran.

    With ``out``, each run's tables are written as soon as it finishes.
    """
    outcomes: dict[tuple[int, int], pd.DataFrame] = {}
    elapsed: dict[tuple[int, int], float] = {}

    def finished(rec: CompareRecord) -> None:
        if rec.result is not None and out is not None:
            # A run's folder appears when the run finishes; its meta.json is written last.
            write_results(rec.result, Path(out) / "runs" / labels[rec.arm] / str(rec.replicate))
        outcomes[(rec.arm, rec.replicate)] = rec.outcomes
        elapsed[(rec.arm, rec.replicate)] = rec.elapsed_seconds
        if on_run is not None:
            on_run(labels[rec.arm], rec.replicate)

    def name(task: CompareTask) -> str:
        return f"compare-{labels[task.arm]}-rep{task.replicate}"

    if executor is None:
        with LocalExecutor(min(workers, len(tasks))) as local:
            local.execute(run_compare_task, tasks, finished, name=name)
            where = local.describe()
    else:
        executor.execute(run_compare_task, tasks, finished, name=name)
        where = executor.describe()
    return outcomes, elapsed, where


def _district_table(scenario: Scenario) -> pd.DataFrame:
    """Return the scenario's districts: name, x_km, y_km, population (for maps)."""
    return pd.DataFrame(
        [
            {"district": d.name, "x_km": d.x_km, "y_km": d.y_km, "population": d.population}
            for d in scenario.districts
        ]
    )


def _comparison_meta(
    scenarios: list[Scenario],
    labels: list[str],
    seeds: list[int],
    root: int,
    workers: int | None,
    where: str,
    elapsed: dict[tuple[int, int], float],
    started: float,
) -> dict[str, Any]:
    """Return the comparison's metadata (``meta.json``); ``workers`` is None on a given executor."""
    return {
        **software_versions("pandas"),
        "arms": [
            {"arm": lab, "scenario": dataclasses.replace(s, seed=root).to_dict()}
            for lab, s in zip(labels, scenarios, strict=True)
        ],
        "reference_arm": labels[0],
        "replicates": len(seeds),
        "root_seed": root,
        "seed_scheme": SEED_SCHEME,
        "seeds": seeds,
        "months": scenarios[0].months,
        "confidence_level": LEVEL,
        "focus": comparison_focus(scenarios),
        "workers": workers,
        "executor": where,
        "run_elapsed_seconds": {
            lab: [elapsed[(a, r)] for r in range(len(seeds))] for a, lab in enumerate(labels)
        },
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }


def comparison_focus(scenarios: list[Scenario]) -> dict[str, Any]:
    """Return what a comparison is about: its question, focus outcomes and focus districts.

    The arms after the reference say what changes, so they are read first (then the
    reference): the first ``question`` stated; the ``focus_outcomes`` stated, else those of
    the interventions an arm adds to the reference (each type declares its own,
    :attr:`~districtsim.interventions.Intervention.focus_outcomes`); the ``focus_districts``
    stated and the districts those interventions target (``select = "traditional"`` or
    ``"creative"``: the districts in that mode at the start; ``"all"``: the city, no district
    in particular). Keys: ``question`` (text, may be empty), ``outcomes``, ``districts``
    (lists in order of first mention), ``targeted`` (the districts from interventions).
    """
    ordered = [*scenarios[1:], scenarios[0]]
    reference = {json.dumps(iv.to_dict(), sort_keys=True) for iv in scenarios[0].interventions}
    question = next((s.question for s in ordered if s.question), "")
    outcomes: list[str] = [o for s in ordered for o in s.focus_outcomes]
    districts: list[str] = [d for s in ordered for d in s.focus_districts]
    targeted: list[str] = []
    for s in scenarios[1:] or scenarios:
        added = [
            iv
            for iv in s.interventions
            if len(scenarios) == 1 or json.dumps(iv.to_dict(), sort_keys=True) not in reference
        ]
        if not s.focus_outcomes:
            outcomes += [o for iv in added for o in iv.focus_outcomes]
        for iv in added:
            if iv.select in ("traditional", "creative"):
                targeted += [d.name for d in s.districts if d.mode == iv.select]
            else:
                targeted += list(iv.districts)
    return {
        "question": question,
        "outcomes": list(dict.fromkeys(outcomes)),
        "districts": list(dict.fromkeys([*districts, *targeted])),
        "targeted": list(dict.fromkeys(targeted)),
    }


def _replicate_table(
    outcomes: dict[tuple[int, int], pd.DataFrame], labels: list[str], seeds: list[int]
) -> pd.DataFrame:
    """Stack the runs' yearly outcomes in (arm, replicate) order.

    Every run must have the same rows.
    """
    frames = []
    ref = outcomes[(0, 0)][KEYS]
    for a, label in enumerate(labels):
        for r, seed in enumerate(seeds):
            df = outcomes[(a, r)]
            if len(df) != len(ref) or not df[KEYS].equals(ref):
                raise RuntimeError(
                    f"arm {label} replicate {r}: its outcome rows differ from the first run's "
                    "(districts or horizon differ)"
                )
            frames.append(df.assign(arm=label, replicate=np.int32(r), seed=np.int64(seed)))
    reps = pd.concat(frames, ignore_index=True)
    reps["arm"] = pd.Categorical(reps["arm"], categories=labels, ordered=True)
    return reps[REPLICATES_COLUMNS]


def t_interval(
    x: np.ndarray, axis: int = 0, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return mean, lower and upper bound of the Student-t interval of the mean along ``axis``.

    With one value the interval is NaN (no spread to estimate).
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    mean = x.mean(axis=axis)
    if n < 2:
        nan = np.full_like(mean, np.nan)
        return mean, nan, nan.copy()
    from scipy import stats  # here, not at import: a run's report imports this module

    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(axis=axis, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def paired_p_value(d: np.ndarray, axis: int = 0) -> np.ndarray:
    """Return the two-sided p-value of a paired t-test that the mean of ``d`` is 0, along ``axis``.

    With no spread (every replicate's difference the same) the p-value is 1 when that
    difference is 0 and 0 otherwise; NaN with one replicate.
    """
    d = np.asarray(d, dtype=float)
    n = d.shape[axis]
    mean = d.mean(axis=axis)
    if n < 2:
        return np.full_like(mean, np.nan)
    from scipy import stats

    sd = d.std(axis=axis, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = mean / (sd / np.sqrt(n))
    p = 2 * stats.t.sf(np.abs(t), n - 1)
    return np.where(sd > 0, p, np.where(mean == 0, 1.0, 0.0))


def fdr_q_values(p: pd.Series) -> pd.Series:
    """Return Benjamini-Hochberg adjusted p-values (q-values) of ``p``; NaN stays NaN.

    A difference with ``q < 0.05`` is clear at a false discovery rate of 5%: among all the
    differences so judged, at most about 5% are expected to be chance
    (:func:`scipy.stats.false_discovery_control`).
    """
    from scipy import stats

    q = pd.Series(np.nan, index=p.index)
    ok = p.notna()
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok].to_numpy(), method="bh")
    return q


def effects_table(reps: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Return the effects table from the per-replicate table.

    Per (scope, district, outcome, year, arm): the mean over replicates and
    its 95% t interval, and for arms after the first the paired difference
    to the first arm (same seed), its mean and 95% t interval, the p-value of the
    paired t-test and its Benjamini-Hochberg adjustment (``q_value``) over the family of
    the arm's differences in that year (the outcomes, or the criteria, of the city and every
    district: the many comparisons a report lists at once).
    """
    n_arms = len(labels)
    n_rep = int(reps["replicate"].max()) + 1
    reps = reps.sort_values(["arm", "replicate", *KEYS], kind="stable")
    if len(reps) % (n_arms * n_rep):
        raise ValueError(
            "the replicates table is not a complete grid of arms x replicates x outcomes"
        )
    keys = reps.loc[
        (reps["arm"] == labels[0]) & (reps["replicate"] == 0), [*KEYS, "months"]
    ].reset_index(drop=True)
    k = len(keys)
    values = reps["value"].to_numpy(dtype=float).reshape(n_arms, n_rep, k)
    frames = []
    for a, label in enumerate(labels):
        mean, lo, hi = t_interval(values[a], axis=0)
        df = keys.copy()
        df["arm"] = label
        df["mean"], df["mean_lo"], df["mean_hi"] = mean, lo, hi
        if a == 0:
            df["diff_mean"] = df["diff_lo"] = df["diff_hi"] = df["p_value"] = np.nan
        else:
            diff = values[a] - values[0]
            df["diff_mean"], df["diff_lo"], df["diff_hi"] = t_interval(diff, axis=0)
            df["p_value"] = paired_p_value(diff, axis=0)
        df["n_replicates"] = np.int32(n_rep)
        frames.append(df)
    eff = pd.concat(frames, ignore_index=True)
    eff["arm"] = pd.Categorical(eff["arm"], categories=labels, ordered=True)
    outcomes = eff["outcome"].astype(str)
    eff["unit"] = [outcome_unit(o) for o in outcomes]
    eff["direction"] = [outcome_direction(o) for o in outcomes]
    family = [eff["arm"], eff["year"], outcomes.str.startswith(CRITERIA_PREFIX)]
    eff["q_value"] = eff.groupby(family, observed=True)["p_value"].transform(fdr_q_values)
    return eff[EFFECTS_COLUMNS]


def write_comparison(comparison: Comparison, out: str | Path) -> list[Path]:
    """Write ``effects.parquet``, ``replicates.parquet`` and ``meta.json`` atomically into ``out``.

    Returns:
        The paths written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in (("effects", comparison.effects), ("replicates", comparison.replicates)):
        path = out / f"{name}.parquet"
        atomic_write(path, lambda p, df=df: df.to_parquet(p, index=False))
        paths.append(path)
    meta = {**comparison.meta, "districts": comparison.districts.to_dict(orient="records")}
    path = out / "meta.json"
    atomic_write(
        path,
        lambda p: Path(p).write_text(
            json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        ),
    )
    paths.append(path)
    return paths


def load_comparison(folder: str | Path) -> Comparison:
    """Read a comparison written by :func:`write_comparison`.

    To re-analyse or re-report without re-running.
    """
    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    districts = pd.DataFrame(meta.pop("districts"))
    arms = [a["arm"] for a in meta["arms"]]
    return Comparison(
        arms=arms,
        seeds=list(meta["seeds"]),
        replicates=pd.read_parquet(folder / "replicates.parquet"),
        effects=pd.read_parquet(folder / "effects.parquet"),
        districts=districts,
        meta=meta,
    )
