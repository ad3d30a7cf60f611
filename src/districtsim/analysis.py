"""Sensitivity analysis of a sweep (``districtsim analyze``), on SALib.

For each kept outcome of the **last year** (``summary = "yearly"``) or the
**last kept month** (or the ``year`` or ``month`` asked for), per scope, district and
variable, the value of a design point is the mean over its finished replicates. Then, by
design method:

- ``sobol``: first-order and total Sobol indices with their confidence
  intervals (:func:`SALib.analyze.sobol.analyze`, bootstrap, 95%), and the
  second-order indices when the design has them; with replicates, the replicate
  noise (``replicate_sd``) and the share of the point means' variance it makes
  (``noise_share``: what no input can explain). Needs every point of the
  design (Saltelli's scheme): a sweep with missing or failed points is
  refused with the count (resume it first).
- ``morris``: the elementary-effects statistics ``mu``, ``mu_star`` (with its
  95% bootstrap interval) and ``sigma`` (:func:`SALib.analyze.morris.analyze`),
  on the unit scale of each input (``[0, 1]`` = its range), with the replicate noise
  (``replicate_sd``) and the ``mu_star`` that noise alone would give
  (``noise_mu_star``, :func:`morris_noise_floor`). Needs every point.
- ``grid`` and ``lhs``: the response of each outcome to each input: the
  Spearman rank correlation over the points (with its p-value and a 95% interval,
  :func:`spearman_interval`), the slope of a linear fit per unit of the input
  (continuous and integer inputs), and the mean outcome at each level of a grid or
  category input. Points with no finished run are left out.

An outcome with the same value at every point, or without values, gets no indices (NaN) and
a note. :class:`SweepAnalysis` also says what makes the analysis incomplete (failed or
missing runs, no outcome that varies: ``problems``, exit status 1 of ``districtsim analyze``)
or rough (fewer than :data:`FEW_POINTS` design points: ``cautions``).

Outputs, in ``DIR/analysis/``: ``indices.parquet`` and ``.csv`` (one row per
outcome and input), ``levels.parquet`` and ``.csv`` (grids and categories),
``accepted.parquet`` and ``.csv`` when the sweep kept calibration targets
(:func:`acceptance`) and a self-contained ``report.html``. Columns: ``docs/outputs.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from districtsim.errors import ScenarioError
from districtsim.experiment import DesignSpec, Experiment, Input, Outputs
from districtsim.results import atomic_write
from districtsim.sweep import load_sweep
from districtsim.targets import Target
from districtsim.validation import one_of

KEY = ["scope", "district", "variable"]
"""Columns naming an outcome (with the year or month analysed)."""


def sobol_indices(
    problem: dict[str, Any], y: np.ndarray, calc_second_order: bool, seed: int = 0
) -> pd.DataFrame:
    """Return S1, S1_conf, ST, ST_conf per input for outputs ``y`` of a Saltelli sample.

    S2 per pair is included when computed.
    """
    from SALib.analyze import sobol

    res = sobol.analyze(
        problem,
        np.asarray(y, dtype=float),
        calc_second_order=calc_second_order,
        conf_level=0.95,
        seed=seed,
    )
    out = pd.DataFrame(
        {
            "input": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    if calc_second_order:
        names = problem["names"]
        out["S2_max"] = [
            np.nanmax(np.abs(np.concatenate([res["S2"][i, :], res["S2"][:, i]])))
            for i in range(len(names))
        ]
    return out


def morris_indices(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, num_levels: int, seed: int = 0
) -> pd.DataFrame:
    """Return mu, mu_star, mu_star_conf and sigma per input for outputs ``y`` of a Morris sample.

    The sample ``x`` is on the unit scale.
    """
    from SALib.analyze import morris

    res = morris.analyze(
        problem,
        np.asarray(x, dtype=float),
        np.asarray(y, dtype=float),
        conf_level=0.95,
        num_levels=num_levels,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "input": problem["names"],
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )


def spearman_interval(rho: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Return the ``level`` confidence interval of a Spearman rank correlation ``rho`` of ``n``.

    Fisher's z transform with Bonett and Wright's (2000) standard error for rank correlations,
    ``sqrt((1 + rho^2 / 2) / (n - 3))``: ``tanh(atanh(rho) -+ z_q se)``. NaN with fewer than
    4 points; a perfect correlation (``|rho| = 1``) gets a zero-width interval, which only
    says the approximation has nothing to go on.
    """
    if not np.isfinite(rho) or n < 4:
        return np.nan, np.nan
    if abs(rho) >= 1.0:
        return float(rho), float(rho)
    half = stats.norm.ppf(0.5 + level / 2) * np.sqrt((1.0 + rho**2 / 2.0) / (n - 3))
    z = np.arctanh(rho)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def response_indices(
    points: pd.DataFrame, y: pd.Series, inputs: list[str], by_level: set[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return per-input and per-level statistics of ``y`` over ``points``.

    Per input: Spearman rho, its p-value and 95% interval (:func:`spearman_interval`), linear
    slope; per level: mean and count. Levels are listed for the inputs in ``by_level``
    (default: the non-numeric ones).
    """
    rows, levels = [], []
    for name in inputs:
        x = points[name]
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        row: dict[str, Any] = {"input": name, "n_points": int(y.notna().sum())}
        ok = y.notna()
        if numeric and x[ok].nunique() > 1 and y[ok].nunique() > 1:
            rho, p = stats.spearmanr(x[ok], y[ok])
            lo, hi = spearman_interval(float(rho), int(ok.sum()))
            row.update(
                spearman_rho=float(rho),
                spearman_p=float(p),
                spearman_lo=lo,
                spearman_hi=hi,
                slope_per_unit=float(np.polyfit(x[ok].astype(float), y[ok].astype(float), 1)[0]),
            )
        else:
            row.update(
                spearman_rho=np.nan,
                spearman_p=np.nan,
                spearman_lo=np.nan,
                spearman_hi=np.nan,
                slope_per_unit=np.nan,
            )
        rows.append(row)
        if (name in by_level) if by_level is not None else not numeric:
            for level, grp in y[ok].groupby(x[ok].astype(str)):
                levels.append(
                    {
                        "input": name,
                        "level": level,
                        "mean": float(grp.mean()),
                        "n_points": int(grp.size),
                    }
                )
    return pd.DataFrame(rows), pd.DataFrame(levels, columns=["input", "level", "mean", "n_points"])


FEW_POINTS = 10
"""With fewer design points with a finished run, the report warns that its indices are rough."""


@dataclass(frozen=True)
class SweepAnalysis:
    """A sweep's analysis: the tables ``districtsim analyze`` writes and what its report shows.

    Attributes:
        out: The sweep folder.
        spec: Its ``sweep.json``.
        tables: ``indices``, ``levels`` and (calibration sweeps) ``accepted``.
        when: ``"year"`` (yearly summaries) or ``"month"`` (chosen months).
        at: The year or month analysed.
        kept: Every year or month the sweep kept.
        points: The inputs of every design point (index ``point``).
        values: Per outcome and design point (index :data:`KEY` and ``point``): ``mean``,
            ``min``, ``max`` and ``count`` of the values of its finished replicates.
        runs: How many runs are ``ok``, ``failed`` and ``missing`` (not run yet).
        n_points_ok: Design points with at least one finished run.
        notes: Per outcome (a :data:`KEY` tuple), what the report says of its values: the
            same value at every point, no values, or the points it has no value at.
        without_indices: The outcomes without indices (NaN): the same value at every point,
            no values, or (Sobol, Morris) a point without a value.
    """

    out: Path
    spec: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    when: str
    at: int
    kept: list[int]
    points: pd.DataFrame
    values: pd.DataFrame
    runs: dict[str, int]
    n_points_ok: int
    notes: dict[tuple[str, str, str], str]
    without_indices: tuple[tuple[str, str, str], ...]

    @property
    def method(self) -> str:
        """Return the design method (``sobol``, ``morris``, ``grid`` or ``lhs``)."""
        return str(self.spec["spec"]["design_spec"]["method"])

    @property
    def kept_text(self) -> str:
        """Return the years or months the sweep kept, in words: ``years 0 to 19``."""
        return f"{self.when}{'s' if len(self.kept) > 1 else ''} {_listing(self.kept)}"

    @property
    def outcomes(self) -> list[tuple[str, str, str]]:
        """Return the analysed outcomes, (scope, district, variable).

        The city's first, then each district's (by name), then the calibration targets'; each
        place's in the order of the experiment's ``[outputs]`` variables and targets.
        """
        keys = {
            (str(s), str(d), str(v)) for s, d, v in self.values.index.droplevel("point").unique()
        }
        outputs = self.spec["spec"].get("outputs", {})
        measures = [t["measure"] for t in outputs.get("targets", [])]
        rank = {v: i for i, v in enumerate([*outputs.get("variables", []), *measures])}
        scope = {"city": 0, "district": 1, "target": 2}
        return sorted(
            keys, key=lambda k: (scope.get(k[0], 3), k[1], rank.get(k[2], len(rank)), k[2])
        )

    @property
    def problems(self) -> list[str]:
        """Return what makes the analysis incomplete, one sentence each (exit status 1).

        Runs that failed or have not run, and an analysis where no outcome varies.
        """
        out, n = self.out, sum(self.runs.values())
        found = []
        if self.runs["failed"]:
            found.append(
                f"{self.runs['failed']} of {n} runs failed; their inputs, seeds and tracebacks "
                f"are in {out}/failures/; the analysis uses the {self.runs['ok']} finished runs"
            )
        if self.runs["missing"]:
            found.append(
                f"{self.runs['missing']} of {n} runs have not run; rerun the sweep command "
                f"(districtsim sweep EXPERIMENT --out {out}) to run them"
            )
        if self.outcomes and len(self.without_indices) == len(self.outcomes):
            found.append(
                "no outcome varies over the design points (or none has values): no index "
                "could be computed"
            )
        return found

    @property
    def cautions(self) -> list[str]:
        """Return what makes the analysis rough, one sentence each (no change of exit status)."""
        found = []
        if self.n_points_ok < FEW_POINTS:
            found.append(
                f"indices from {self.n_points_ok} design point(s) are rough (fewer than "
                f"{FEW_POINTS}); read them as a first look"
            )
        few = self.without_indices
        if few and len(few) < len(self.outcomes):
            names = ", ".join(_outcome_name(k) for k in few[:3]) + (", ..." if len(few) > 3 else "")
            found.append(
                f"{len(few)} of {len(self.outcomes)} outcomes have no indices: the same value at "
                f"every design point, or missing values ({names})"
            )
        return found


def _outcome_name(key: tuple[str, str, str]) -> str:
    """Return an outcome's short name: ``variable`` (city and targets), ``variable in district``."""
    _, district, variable = key
    return f"{variable} in {district}" if district else variable


def sweep_analysis(
    out: str | Path,
    *,
    year: int | None = None,
    month: int | None = None,
    outcomes: list[str] | None = None,
) -> SweepAnalysis:
    """Analyse a sweep folder; return its tables and what its report shows (nothing written).

    Args:
        out: The sweep folder.
        year: The program year to analyse (yearly summaries; default the last).
        month: The kept month to analyse (``months = [...]``; default the last).
        outcomes: Analyse only these variables (default every kept one).

    Raises:
        ScenarioError: No sweep in ``out``, no finished run, a year, month or variable the
            sweep did not keep, or a Sobol or Morris design with points without a finished
            run.
    """
    out = Path(out)
    spec, exp, inputs, kept_values = read_sweep(out)
    method = exp.design_spec.method
    names = [c for c in inputs.columns if c not in ("point", "replicate", "seed", "status")]
    when = "year" if "year" in kept_values.columns else "month"
    kept = sorted(int(v) for v in kept_values[when].unique())
    at = _chosen(when, kept, year, month)
    values = _point_values(inputs, kept_values[kept_values[when] == at], outcomes, out)
    points = inputs.drop_duplicates("point").set_index("point")[names].sort_index()
    finished = inputs.loc[inputs["status"] == "ok", "point"].unique()
    if method in ("sobol", "morris"):
        _require_every_point(inputs, points, finished, method, out)
    noise = _replicate_noise(values) if method in ("morris", "sobol") else None
    index_rows, level_rows, notes, without = [], [], {}, []
    for key, per_point in values.groupby(level=KEY, observed=True):
        key = tuple(str(k) for k in key)
        y = per_point["mean"].droplevel(KEY).reindex(points.index)
        label = dict(zip(KEY, key, strict=True)) | {when: at}
        note = _note(y, len(finished), method)
        if note:
            notes[key] = note
        if y.dropna().nunique() < 2 or (method in ("sobol", "morris") and y.isna().any()):
            without.append(key)
        table, levels = _outcome_indices(exp, points, y)
        if noise is not None:
            sd, reps = noise.loc[key, "replicate_sd"], noise.loc[key, "replicates"]
            if method == "morris":
                extra = {"noise_mu_star": morris_noise_floor(sd, reps, exp.design_spec.num_levels)}
            else:
                var = y.var()
                extra = {"noise_share": float(sd**2 / reps / var) if var > 0 else np.nan}
            table = table.assign(replicate_sd=sd, **extra)
        if levels is not None and not levels.empty:
            level_rows.append(levels.assign(**label))
        index_rows.append(table.assign(**label, method=method))
    tables = _stack_tables(index_rows, level_rows, when)
    accepted = acceptance(exp, inputs, kept_values)
    if accepted is not None:
        tables["accepted"] = accepted
    runs = {s: int((inputs["status"] == s).sum()) for s in ("ok", "failed", "missing")}
    return SweepAnalysis(
        out=out,
        spec=spec,
        tables=tables,
        when=when,
        at=at,
        kept=kept,
        points=points,
        values=values,
        runs=runs,
        n_points_ok=len(finished),
        notes=notes,
        without_indices=tuple(without),
    )


def analyze_sweep(
    out: str | Path,
    write: bool = True,
    *,
    year: int | None = None,
    month: int | None = None,
    outcomes: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Analyse a sweep folder; return (and with ``write``, save) its ``indices`` and ``levels``.

    ``year``, ``month`` and ``outcomes`` as in :func:`sweep_analysis`; with ``write`` the
    tables and ``report.html`` go to ``out/analysis/`` (:func:`write_analysis`).
    """
    analysis = sweep_analysis(out, year=year, month=month, outcomes=outcomes)
    if write:
        write_analysis(analysis)
    return analysis.tables


def acceptance(
    exp: Experiment, inputs: pd.DataFrame, outcomes: pd.DataFrame
) -> pd.DataFrame | None:
    """Return which design points meet every calibration target (None if the sweep kept none).

    One row per design point with a finished run: ``point``, the inputs, ``n_runs`` (finished
    replicates), one column per target measure (the mean over the point's finished replicates
    of the run's outcome of scope ``"target"``), ``met_<measure>`` per target,
    ``targets_missed`` (how many are not met) and ``accepted`` (every target met).
    """
    targets = exp.outputs.targets
    if not targets:
        return None
    ok = inputs[inputs["status"] == "ok"]
    rows = outcomes[(outcomes["scope"] == "target") & outcomes["run_id"].isin(ok.index)]
    values = rows.pivot_table(index="run_id", columns="variable", values="value", aggfunc="first")
    values["point"] = ok.loc[values.index, "point"].to_numpy()
    means = values.groupby("point").mean()
    points = ok.drop_duplicates("point").set_index("point")[list(exp.input_names)]
    table = points.loc[means.index].copy()
    table["n_runs"] = values.groupby("point").size()
    for t in targets:
        table[t.measure] = means[t.measure]
        table[f"met_{t.measure}"] = means[t.measure].map(t.met)
    met = table[[f"met_{t.measure}" for t in targets]]
    table["targets_missed"] = (~met).sum(axis=1).astype(int)
    table["accepted"] = met.all(axis=1)
    return table.reset_index()


def read_sweep(out: Path) -> tuple[dict[str, Any], Experiment, pd.DataFrame, pd.DataFrame]:
    """Return a sweep folder's ``sweep.json``, experiment, inputs and outcomes of finished runs."""
    if not (out / "sweep.json").exists():
        raise ScenarioError(str(out), "", "no sweep.json", "a folder written by districtsim sweep")
    spec = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    exp = experiment_from_spec(spec["spec"])
    inputs, outcomes = load_sweep(out)
    if outcomes.empty:
        failed = int((inputs["status"] == "failed").sum())
        why = f"; {failed} of {len(inputs)} runs failed, see {out}/failures/" if failed else ""
        raise ScenarioError(
            str(out),
            "runs",
            "no finished runs",
            f"at least one finished run (run or resume the sweep{why})",
        )
    return spec, exp, inputs, outcomes


def _listing(values: list[int]) -> str:
    """Return kept years or months in words: ``0 to 19``, or ``12, 24`` when not a run."""
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]} to {values[-1]}"
    return ", ".join(str(v) for v in values)


def _chosen(when: str, kept: list[int], year: int | None, month: int | None) -> int:
    """Return the year or month to analyse: the one asked for, else the last kept one."""
    asked = {"year": year, "month": month}
    other = "month" if when == "year" else "year"
    if asked[other] is not None:
        raise ScenarioError(
            f"--{other}",
            "",
            asked[other],
            f"no --{other}: this sweep kept {when}s {_listing(kept)} (choose one with --{when})",
        )
    if asked[when] is None:
        return kept[-1]
    if asked[when] not in kept:
        raise ScenarioError(
            f"--{when}", "", asked[when], f"a {when} this sweep kept: {_listing(kept)}"
        )
    return int(asked[when])


def _point_values(
    inputs: pd.DataFrame, rows: pd.DataFrame, variables: list[str] | None, out: Path
) -> pd.DataFrame:
    """Return per outcome and point the mean, min, max, count and var over its ok replicates.

    ``rows`` are the outcome rows of the analysed year or month; ``variables`` (if given)
    must be variables of them.
    """
    ok_runs = inputs.index[inputs["status"] == "ok"]
    rows = rows[rows["run_id"].isin(ok_runs)]
    if variables is not None:
        allowed = sorted(set(rows["variable"].astype(str)))
        for name in variables:
            if name not in allowed:
                raise ScenarioError(
                    "--outcomes", "", name, one_of(name, allowed, "a variable this sweep kept")
                )
        rows = rows[rows["variable"].astype(str).isin(variables)]
    rows = rows.assign(point=inputs["point"].loc[rows["run_id"]].to_numpy())
    return rows.groupby([*KEY, "point"], observed=True)["value"].agg(
        ["mean", "min", "max", "count", "var"]
    )


def _require_every_point(
    inputs: pd.DataFrame, points: pd.DataFrame, finished: np.ndarray, method: str, out: Path
) -> None:
    """Refuse a Sobol or Morris sweep with design points without a finished run."""
    lost = points.index.difference(pd.Index(finished))
    if lost.empty:
        return
    runs = inputs[inputs["point"].isin(lost)]
    not_run = runs.loc[runs["status"] == "missing", "point"].nunique()
    what = []
    if not_run:
        what.append(
            f"{not_run} not run yet: resume the sweep, districtsim sweep EXPERIMENT --out {out}"
        )
    if len(lost) - not_run:
        what.append(
            f"{len(lost) - not_run} whose runs failed, which a resume does not rerun: see "
            f"{out}/failures/"
        )
    raise ScenarioError(
        str(out),
        "runs",
        f"{len(lost)} of {len(points)} design points without a finished run",
        f"every point of a {method} design ({'; '.join(what)})",
    )


def _note(y: pd.Series, n_finished: int, method: str) -> str | None:
    """Return what the report says of an outcome's point values, or None if nothing."""
    values = y.dropna()
    if values.empty:
        return "no value at any design point"
    if len(values) == 1:
        return f"a value at one design point only ({values.iloc[0]:.6g}): no index"
    if values.nunique() == 1:
        return f"the same value at every design point ({values.iloc[0]:.6g}): no input moves it"
    lost = n_finished - len(values)
    if lost <= 0:
        return None
    note = f"no value at {lost} of {n_finished} design points with a finished run"
    if method in ("sobol", "morris"):
        note += f" (a {method} design needs every point: no indices)"
    return note


def _replicate_noise(values: pd.DataFrame) -> pd.DataFrame:
    """Return each outcome's replicate noise: the pooled within-point standard deviation.

    From the per-point ``var`` and ``count`` of :func:`_point_values`. Columns
    ``replicate_sd`` (pooled over the points with at least two finished replicates, weighted
    by their degrees of freedom; NaN with one replicate a point) and ``replicates`` (the
    harmonic mean of the finished replicates a point), indexed by :data:`KEY`.
    """
    per_point = values[values["count"] > 0]
    df = (per_point["count"] - 1).clip(lower=0)
    by_outcome = df.groupby(level=KEY, observed=True).sum()
    pooled = (per_point["var"].fillna(0.0) * df).groupby(
        level=KEY, observed=True
    ).sum() / by_outcome.where(by_outcome > 0)
    harmonic = (
        per_point["count"]
        .groupby(level=KEY, observed=True)
        .agg(lambda c: len(c) / float(np.sum(1.0 / c)))
    )
    return pd.DataFrame({"replicate_sd": np.sqrt(pooled), "replicates": harmonic})


def morris_noise_floor(replicate_sd: float, replicates: float, num_levels: int) -> float:
    """Return the ``mu_star`` an input without effect would get from replicate noise alone.

    A point's value is the mean of ``replicates`` runs, so its noise has standard deviation
    ``s = replicate_sd / sqrt(replicates)``; an elementary effect is the difference of two
    points divided by the step ``delta = num_levels / (2 (num_levels - 1))`` (SALib's
    step on the 0-1 scale), so with independent noise it is normal with standard deviation
    ``sqrt(2) s / delta`` and its mean absolute value is ``2 s / (sqrt(pi) delta)``.
    Replicates share seeds across points (common random numbers), which correlates the
    noise of neighbouring points and makes the real floor lower: this is an upper bound.
    """
    delta = num_levels / (2.0 * (num_levels - 1))
    s = replicate_sd / np.sqrt(replicates)
    return float(2.0 * s / (np.sqrt(np.pi) * delta))


def _outcome_indices(
    exp: Experiment, points: pd.DataFrame, y: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return one outcome's indices over the design points, and its levels (grid and lhs only).

    A Sobol or Morris outcome without a value at some point, or with the same value at every
    point, gets NaN indices.
    """
    d = exp.design_spec
    method = d.method
    if method not in ("sobol", "morris"):
        by_level = {
            i.name
            for i in exp.inputs
            if method == "grid" or i.kind in ("integer", "category", "scenario")
        }
        return response_indices(points, y, list(points.columns), by_level)
    problem = exp.salib_problem()
    if y.isna().any() or y.nunique() < 2:
        columns = (
            ["S1", "S1_conf", "ST", "ST_conf", *(["S2_max"] if d.calc_second_order else [])]
            if method == "sobol"
            else ["mu", "mu_star", "mu_star_conf", "sigma"]
        )
        return pd.DataFrame({"input": problem["names"]} | dict.fromkeys(columns, np.nan)), None
    if method == "sobol":
        return sobol_indices(problem, y.to_numpy(), d.calc_second_order, seed=d.seed), None
    return morris_indices(problem, exp.design().unit, y.to_numpy(), d.num_levels, seed=d.seed), None


def _stack_tables(
    index_rows: list[pd.DataFrame], level_rows: list[pd.DataFrame], when: str
) -> dict[str, pd.DataFrame]:
    """Return the ``indices`` and ``levels`` tables from the per-outcome rows, key columns first."""
    indices = pd.concat(index_rows, ignore_index=True) if index_rows else pd.DataFrame()
    levels = (
        pd.concat(level_rows, ignore_index=True)
        if level_rows
        else pd.DataFrame(columns=["input", "level", "mean", "n_points", *KEY, when])
    )
    front = [*KEY, when, "method", "input"]
    indices = indices[[*front, *[c for c in indices.columns if c not in front]]]
    return {"indices": indices, "levels": levels}


def write_analysis(analysis: SweepAnalysis) -> Path:
    """Write the tables (Parquet and CSV) and ``report.html`` into ``out/analysis/``; return it."""
    folder = analysis.out / "analysis"
    folder.mkdir(exist_ok=True)
    for name, df in analysis.tables.items():
        atomic_write(folder / f"{name}.parquet", lambda p, df=df: df.to_parquet(p, index=False))
        atomic_write(folder / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False))
    from districtsim.report import write_analysis_report

    write_analysis_report(analysis, folder / "report.html")
    return folder


def experiment_from_spec(spec: dict[str, Any]) -> Experiment:
    """Rebuild the :class:`Experiment` from the normalised spec in ``sweep.json``.

    Its design is deterministic.
    """
    inputs = tuple(
        Input(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
        for row in spec["inputs"]
    )
    outputs = Outputs(
        **{
            k: (
                tuple(Target(**t) for t in v)
                if k == "targets"
                else tuple(v)
                if isinstance(v, list)
                else v
            )
            for k, v in spec["outputs"].items()
        }
    )
    fields = {
        k: v
        for k, v in spec.items()
        if k not in ("inputs", "outputs", "design_spec", "scenario_paths")
    }
    return Experiment(
        **fields,
        inputs=inputs,
        design_spec=DesignSpec(**spec["design_spec"]),
        outputs=outputs,
        scenario_paths=tuple(spec.get("scenario_paths", {}).items()),
    )
