"""Observation: preallocated monthly district records, tidy tables, yearly summaries, writing.

Results are declared up front (:mod:`districtsim.outputs`) and preallocated for
the whole horizon; each month the model fills one row per district. District
aggregates only: per-resident reporters would cost memory fast. The city table
and the yearly summaries of compare and sweeps are computed from the declarations.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from districtsim import __version__
from districtsim.calendar import program_year
from districtsim.outputs import (
    CITY_OUTPUTS,
    DISTRICT_OUTPUTS,
    QUIET_PARTICIPATION,
    TRAILING_MONTHS,
    CityColumn,
    column,
)

DISTRICT_COLUMNS: dict[str, str] = {c.name: c.description for c in DISTRICT_OUTPUTS}
"""Numeric columns of ``districts.parquet`` and their one-line descriptions (derived from
:data:`districtsim.outputs.DISTRICT_OUTPUTS`, where units and kinds are declared)."""

YEARLY_COLUMNS = ["scope", "district", "variable", "year", "months", "stat", "value"]
"""Columns of :func:`yearly_values` (and of a sweep's outcomes with ``summary = "yearly"``)."""


def weighted_gini(x: np.ndarray, w: np.ndarray) -> float:
    """Return the Gini coefficient of values ``x`` with weights ``w`` (0 = equal)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    total = w.sum()
    mean = np.sum(w * x) / total if total > 0 else 0.0
    if total <= 0 or mean <= 0:
        return 0.0
    diff = np.abs(x[:, None] - x[None, :])
    return float(np.sum(w[:, None] * w[None, :] * diff) / (2.0 * total**2 * mean))


class Recorder:
    """Preallocated per-month, per-district records.

    Args:
        months: Horizon in months.
        names: District names.
    """

    def __init__(self, months: int, names: list[str]) -> None:
        self.names = names
        self.months = months
        self.data = {k: np.full((months, len(names)), np.nan) for k in DISTRICT_COLUMNS}
        self.mode = np.empty((months, len(names)), dtype=object)
        self.city_extra: dict[str, np.ndarray] = {
            c.name: np.zeros(months) for c in CITY_OUTPUTS if c.how == "recorded"
        }
        self.n_recorded = 0

    def record(
        self, t: int, values: dict[str, np.ndarray], mode: list[str], displacement: float
    ) -> None:
        """Store month ``t``'s district values, operating modes and the city's displacement.

        Args:
            t: Month index.
            values: One array (a value per district) for every declared district column
                (:data:`~districtsim.outputs.DISTRICT_OUTPUTS`), and no other key.
            mode: Operating mode of each district.
            displacement: The city's ``displacement_persons`` this month.

        Raises:
            ValueError: If the keys of ``values`` differ from the declared columns (the message
                names the missing and the unexpected ones).
        """
        if values.keys() != self.data.keys():
            missing = [k for k in self.data if k not in values]
            unexpected = [k for k in values if k not in self.data]
            raise ValueError(
                f"month {t}: the recorded values differ from the declared district columns "
                f"(districtsim.outputs.DISTRICT_OUTPUTS); missing: {missing or 'none'}; "
                f"unexpected: {unexpected or 'none'}"
            )
        for k, v in values.items():
            self.data[k][t] = v
        self.mode[t] = mode
        self.city_extra["displacement_persons"][t] = displacement
        self.n_recorded = t + 1

    def districts_frame(self) -> pd.DataFrame:
        """Return the tidy district x month table."""
        n_months, d = self.n_recorded, len(self.names)
        df = pd.DataFrame(
            {
                "month": np.repeat(np.arange(n_months), d).astype(np.int32),
                "district": pd.Categorical(np.tile(self.names, n_months), categories=self.names),
                "mode": pd.Categorical(
                    self.mode[:n_months].ravel().astype(str),
                    categories=["traditional", "creative", "innovation_platform"],
                ),
            }
        )
        for k in DISTRICT_COLUMNS:
            df[k] = self.data[k][:n_months].ravel()
        return df

    def city_frame(self) -> pd.DataFrame:
        """Return the city x month table (see :data:`~districtsim.outputs.CITY_OUTPUTS`)."""
        n_months = self.n_recorded
        g = {k: v[:n_months] for k, v in self.data.items()}
        pop = g["population"]
        w = np.where(
            pop.sum(axis=1, keepdims=True) > 0,
            pop / np.maximum(pop.sum(axis=1, keepdims=True), 1e-12),
            0.0,
        )
        out: dict[str, Any] = {"month": np.arange(n_months, dtype=np.int32)}
        for col in CITY_OUTPUTS:
            out[col.name] = self._city_values(col, g, w)
        return pd.DataFrame(out)

    def _city_values(self, col: CityColumn, g: dict[str, np.ndarray], w: np.ndarray) -> np.ndarray:
        """Return one city column from the recorded months ``g`` and population weights ``w``."""
        n_months = self.n_recorded
        if col.how == "sum":
            return g[col.source].sum(axis=1)
        if col.how == "mean":
            return (g[col.source] * w).sum(axis=1)
        if col.how == "min":
            return g[col.source].min(axis=1)
        if col.how == "max":
            return g[col.source].max(axis=1)
        if col.how == "per_resident":
            return g[col.source].sum(axis=1) / np.maximum(g["population"].sum(axis=1), 1e-12)
        if col.how == "gini":
            pop = g["population"]
            return np.array([weighted_gini(g[col.source][t], pop[t]) for t in range(n_months)])
        if col.how == "recorded":
            return self.city_extra[col.name][:n_months]
        if col.how == "mode_count":
            return (self.mode[:n_months] == col.source).sum(axis=1)
        if col.how == "start_mode_gap":
            return _start_mode_gap(g[col.source], g["population"], self.mode[0] == "traditional")
        if col.how == "trailing_below":
            return (_trailing_mean(g[col.source], TRAILING_MONTHS) < QUIET_PARTICIPATION).sum(
                axis=1
            )
        raise ValueError(f"{col.name}: unknown city aggregation {col.how!r}")


def _start_mode_gap(x: np.ndarray, pop: np.ndarray, traditional: np.ndarray) -> np.ndarray:
    """Return the gap of population-weighted means of ``x``, non-traditional minus traditional.

    Per month; the groups are fixed by ``traditional`` (the modes of month 0); NaN where a group
    has no residents, and everywhere if one group is empty.
    """
    if traditional.all() or not traditional.any():
        return np.full(x.shape[0], np.nan)

    def mean(members: np.ndarray) -> np.ndarray:
        w = pop[:, members]
        total = w.sum(axis=1)
        weighted = (x[:, members] * w).sum(axis=1) / np.maximum(total, 1e-12)
        return np.where(total > 0, weighted, np.nan)

    return mean(~traditional) - mean(traditional)


def _trailing_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Return per month and district the mean of ``x`` over the last ``window`` months.

    Fewer months at the start.
    """
    c = np.cumsum(x, axis=0, dtype=float)
    lagged = np.zeros_like(c)
    lagged[window:] = c[:-window]
    n = np.minimum(np.arange(1, x.shape[0] + 1), window)[:, None]
    return (c - lagged) / n


@dataclass
class RunResult:
    """What one run returns: tidy tables and metadata."""

    districts: pd.DataFrame
    city: pd.DataFrame
    events: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    criteria: pd.DataFrame | None = None


def district_names(districts: pd.DataFrame) -> list[str]:
    """Return the district names of a district table in scenario order."""
    col = districts["district"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [str(n) for n in col.cat.categories]
    return list(dict.fromkeys(col.astype(str)))


def yearly_values(result: RunResult, columns: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Return one run's yearly summary of the given ``(scope, column)`` pairs.

    The one yearly summariser of ``districtsim compare`` and ``districtsim sweep``. Per
    program year ``y`` (months ``12y`` to ``12y + 11``; a last partial year has fewer months)
    it takes the sum of a flow's months or the mean of a state's months, as the column's
    declaration says (:attr:`districtsim.outputs.Column.year`).

    Args:
        result: A run's tables.
        columns: Pairs of scope (``"district"`` or ``"city"``) and a declared column of that
            table (:data:`~districtsim.outputs.DISTRICT_OUTPUTS`,
            :data:`~districtsim.outputs.CITY_OUTPUTS`).

    Returns:
        Columns :data:`YEARLY_COLUMNS`: scope, district (empty for the city), variable, year
        and months (int32), stat (``"sum"`` or ``"mean"``) and value (float). Rows in the
        order of ``columns``; within a pair, districts in scenario order, years ascending.

    Raises:
        KeyError: If a column is not declared for its scope.
    """
    d, c = result.districts, result.city
    names = district_names(d)
    n_months = len(c)
    years = program_year(np.arange(n_months))
    n_years = int(years[-1]) + 1
    counts = np.bincount(years, minlength=n_years)
    frames = []
    for scope, var in columns:
        stat = column(scope, var).year
        if scope == "city":
            arr, labels = c[var].to_numpy(dtype=float)[:, None], [""]
        else:
            arr, labels = d[var].to_numpy(dtype=float).reshape(n_months, len(names)), names
        # Sequential sums per year (np.bincount): the exact values sweeps have always written.
        sums = np.stack(
            [np.bincount(years, weights=arr[:, j], minlength=n_years) for j in range(len(labels))],
            axis=0,
        )
        frames.append(
            pd.DataFrame(
                {
                    "scope": scope,
                    "district": np.repeat(labels, n_years),
                    "variable": var,
                    "year": np.tile(np.arange(n_years, dtype=np.int32), len(labels)),
                    "months": np.tile(counts.astype(np.int32), len(labels)),
                    "stat": stat,
                    "value": (sums if stat == "sum" else sums / counts).ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[YEARLY_COLUMNS]


def _umask() -> int:
    """Return the process umask (reading it means setting it; restored at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Any) -> None:
    """Write via a temporary file in the same folder, then rename (no half-written files)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(
            tmp, 0o666 & ~_umask()
        )  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_results(result: RunResult, out: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write the tables and ``meta.json`` into ``out``; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("districts", "city", "events", "criteria"):
        df: pd.DataFrame | None = getattr(result, name)
        if df is None:
            continue
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            atomic_write(path, lambda p, df=df: df.to_parquet(p, index=False))
        else:
            atomic_write(path, lambda p, df=df: df.to_csv(p, index=False))
        paths.append(path)
    meta_path = out / "meta.json"
    atomic_write(
        meta_path,
        lambda p: Path(p).write_text(
            json.dumps(result.meta, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        ),
    )
    paths.append(meta_path)
    return paths


def software_versions(*libraries: str) -> dict[str, str]:
    """Return districtsim's name and version, Python's and numpy's, and those of ``libraries``.

    Every result's metadata records these (``meta.json``, ``sweep.json``), so a result can be
    traced to the software that made it.
    """
    from importlib.metadata import version

    out = {
        "package": "districtsim",
        "version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    return {**out, **{name: version(name) for name in libraries}}
