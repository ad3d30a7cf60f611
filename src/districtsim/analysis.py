"""Sensitivity analysis of a sweep (``districtsim analyze``), on SALib.

For each kept outcome of the **last year** (``summary = "yearly"``) or the
**last kept month**, per scope, district and variable, the value of a design
point is the mean over its finished replicates. Then, by design method:

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
  Spearman rank correlation over the points (with its p-value), the slope of
  a linear fit per unit of the input (continuous and integer inputs), and the
  mean outcome at each level of a grid or category input. Points with no
  finished run are left out.

Outputs, in ``DIR/analysis/``: ``indices.parquet`` and ``.csv`` (one row per
outcome and input), ``levels.parquet`` and ``.csv`` (grids and categories),
``accepted.parquet`` and ``.csv`` when the sweep kept calibration targets
(:func:`acceptance`) and a self-contained ``report.html``. Columns: ``docs/outputs.md``.
"""

from __future__ import annotations

import json
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


def response_indices(
    points: pd.DataFrame, y: pd.Series, inputs: list[str], by_level: set[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return per-input and per-level statistics of ``y`` over ``points``.

    Per input: Spearman rho and p-value, linear slope; per level: mean and count. Levels are
    listed for the inputs in ``by_level`` (default: the non-numeric ones).
    """
    rows, levels = [], []
    for name in inputs:
        x = points[name]
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        row: dict[str, Any] = {"input": name, "n_points": int(y.notna().sum())}
        ok = y.notna()
        if numeric and x[ok].nunique() > 1 and y[ok].nunique() > 1:
            rho, p = stats.spearmanr(x[ok], y[ok])
            row.update(
                spearman_rho=float(rho),
                spearman_p=float(p),
                slope_per_unit=float(np.polyfit(x[ok].astype(float), y[ok].astype(float), 1)[0]),
            )
        else:
            row.update(spearman_rho=np.nan, spearman_p=np.nan, slope_per_unit=np.nan)
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


def analyze_sweep(out: str | Path, write: bool = True) -> dict[str, pd.DataFrame]:
    """Analyse a sweep folder; return (and with ``write``, save) its ``indices`` and ``levels``."""
    out = Path(out)
    spec, exp, inputs, outcomes = read_sweep(out)
    method = exp.design_spec.method
    names = [c for c in inputs.columns if c not in ("point", "replicate", "seed", "status")]
    when = "year" if "year" in outcomes.columns else "month"
    per_point = _point_means(inputs, outcomes, when)
    points = inputs.drop_duplicates("point").set_index("point")[names].sort_index()
    noise = _replicate_noise(inputs, outcomes, when) if method in ("morris", "sobol") else None
    index_rows, level_rows = [], []
    for key, series in per_point.groupby(level=KEY, observed=True):
        y = series.droplevel(KEY).reindex(points.index)
        label = dict(zip(KEY, key, strict=True)) | {when: int(outcomes[when].max())}
        table, levels = _outcome_indices(exp, points, y, out)
        if noise is not None:
            sd, reps = noise.loc[key, "replicate_sd"], noise.loc[key, "replicates"]
            if method == "morris":
                extra = {"noise_mu_star": morris_noise_floor(sd, reps, exp.design_spec.num_levels)}
            else:
                extra = {"noise_share": float(sd**2 / reps / y.var())}
            table = table.assign(replicate_sd=sd, **extra)
        if levels is not None and not levels.empty:
            level_rows.append(levels.assign(**label))
        index_rows.append(table.assign(**label, method=method))
    tables = _stack_tables(index_rows, level_rows, when)
    accepted = acceptance(exp, inputs, outcomes)
    if accepted is not None:
        tables["accepted"] = accepted
    if write:
        _write_analysis(out, tables, spec)
    return tables


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
        raise ScenarioError(
            str(out),
            "runs",
            "no finished runs",
            "at least one finished run (run or resume the sweep)",
        )
    return spec, exp, inputs, outcomes


def _last_values(inputs: pd.DataFrame, outcomes: pd.DataFrame, when: str) -> pd.DataFrame:
    """Return the outcome rows of the last year (or month) of the ok runs, with their point."""
    last = outcomes[outcomes[when] == outcomes[when].max()]
    ok_runs = inputs.index[inputs["status"] == "ok"]
    point_of = inputs["point"]
    return last[last["run_id"].isin(ok_runs)].assign(
        point=lambda d: point_of.loc[d["run_id"]].to_numpy()
    )


def _point_means(inputs: pd.DataFrame, outcomes: pd.DataFrame, when: str) -> pd.Series:
    """Return each outcome's last-year (or last-month) mean over each point's ok replicates."""
    values = _last_values(inputs, outcomes, when)
    return values.groupby([*KEY, "point"], observed=True)["value"].mean()


def _replicate_noise(inputs: pd.DataFrame, outcomes: pd.DataFrame, when: str) -> pd.DataFrame:
    """Return each outcome's replicate noise: the pooled within-point standard deviation.

    Columns ``replicate_sd`` (pooled over the points with at least two finished replicates,
    weighted by their degrees of freedom; NaN with one replicate a point) and
    ``replicates`` (the harmonic mean of the finished replicates a point), indexed by
    :data:`KEY`.
    """
    values = _last_values(inputs, outcomes, when)
    per_point = values.groupby([*KEY, "point"], observed=True)["value"].agg(["var", "count"])
    df = (per_point["count"] - 1).clip(lower=0)
    pooled = (
        (per_point["var"].fillna(0.0) * df).groupby(level=KEY, observed=True).sum()
        / df.groupby(level=KEY, observed=True).sum()
    ).where(df.groupby(level=KEY, observed=True).sum() > 0)
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
    exp: Experiment, points: pd.DataFrame, y: pd.Series, out: Path
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return one outcome's indices over the design points, and its levels (grid and lhs only)."""
    d = exp.design_spec
    method = d.method
    if method not in ("sobol", "morris"):
        by_level = {
            i.name
            for i in exp.inputs
            if method == "grid" or i.kind in ("integer", "category", "scenario")
        }
        return response_indices(points, y, list(points.columns), by_level)
    missing = int(y.isna().sum())
    if missing:
        raise ScenarioError(
            str(out),
            "runs",
            f"{missing} of {len(points)} design points without a finished run",
            f"every point of a {method} design "
            f"(resume the sweep: districtsim sweep EXPERIMENT --out {out})",
        )
    problem = exp.salib_problem()
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


def _write_analysis(out: Path, tables: dict[str, pd.DataFrame], spec: dict[str, Any]) -> None:
    """Write the tables (Parquet and CSV) and ``report.html`` into ``out/analysis/``."""
    folder = out / "analysis"
    folder.mkdir(exist_ok=True)
    for name, df in tables.items():
        atomic_write(folder / f"{name}.parquet", lambda p, df=df: df.to_parquet(p, index=False))
        atomic_write(folder / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False))
    from districtsim.report import write_analysis_report

    write_analysis_report(tables, spec, folder / "report.html")


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
