"""Calibration targets: declared in a file, measured from a run's tables, met or missed.

A targets file (``helsinki.toml`` here is the default city's; the format is in its header)
declares each target of MODEL section 7 with the measure that computes it, its acceptable range,
its kind (input check or emergent) and its source. :func:`evaluate` measures a finished run
against them::

    from districtsim.run import run_scenario
    from districtsim.scenario import load_scenario
    from districtsim.targets import evaluate, load_targets

    scenario = load_scenario("helsinki", ["scenario.scale=0.02", "scenario.months=24"])
    table = evaluate(run_scenario(scenario, seed=1), scenario, load_targets("helsinki"))
    print(table[["target", "value", "low", "high", "met"]])

Every measure reads only the district and city tables (``docs/outputs.md``) and the scenario,
so it can be computed for any run, replicate or sweep point. Rates a year are means over the
run's whole years; year 0 is months 0-11 and the last month is the run's last.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from districtsim.errors import ScenarioError
from districtsim.results import RunResult
from districtsim.scenario import Scenario
from districtsim.validation import check_scalar

TARGETS_DIR = Path(__file__).resolve().parent
"""Where the bundled targets files are (``helsinki.toml``)."""

KINDS = ("input check", "emergent")
DETACHED_OWNER_SHARE = 0.7
"""Owner share from which a district of the scenario counts as a detached-house area."""


def _years(city: pd.DataFrame) -> pd.Series:
    return city["month"] // 12


def _yearly_rate(city: pd.DataFrame, flow: pd.Series) -> float:
    """Mean over whole years of a monthly flow summed per year over the year's mean population.

    A run shorter than a year gives its flow per mean resident, scaled to a year.
    """
    n = len(city)
    if n < 12:
        return float(flow.sum() / city["population"].mean() * 12 / n)
    year = _years(city)
    keep = year < n // 12
    pop = city["population"][keep].groupby(year[keep]).mean()
    return float((flow[keep].groupby(year[keep]).sum() / pop).mean())


def _turnover(result: RunResult) -> pd.Series:
    """Each district's moves out per resident and year (the run's months)."""
    d = result.districts
    g = d.groupby("district", observed=True)
    years = d["month"].nunique() / 12
    return g["moves_out_persons"].sum() / g["population"].mean() / years


def _district_yearly(result: RunResult, column: str) -> pd.DataFrame:
    """Yearly means of a district column: one row per year, one column per district."""
    wide = result.districts.pivot(index="month", columns="district", values=column)
    return wide.groupby(wide.index // 12).mean()


def _last_prices(result: RunResult) -> np.ndarray:
    d = result.districts
    return np.sort(d.loc[d["month"] == d["month"].max(), "price_eur_m2"].to_numpy())


def _quarter_ratio(prices: np.ndarray) -> float:
    q = len(prices) // 4
    return float(prices[-q:].mean() / prices[:q].mean())


def _detached(scenario: Scenario) -> list[str]:
    return [d.name for d in scenario.districts if d.share_owner >= DETACHED_OWNER_SHARE]


Measure = Callable[[RunResult, Scenario], float]

MEASURES: dict[str, Measure] = {
    "city_growth_per_year": lambda r, s: float(
        (r.city["population"].iloc[-1] / r.city["population"].iloc[0])
        ** (12 / max(len(r.city) - 1, 1))
        - 1
    ),
    "mean_price_year0_eur_m2": lambda r, s: float(r.city["price_eur_m2_mean"].iloc[:12].mean()),
    "price_zone_ratio_last_month": lambda r, s: _quarter_ratio(_last_prices(r)),
    "price_extreme_ratio_last_month": lambda r, s: float(
        r.city["price_eur_m2_max"].iloc[-1] / r.city["price_eur_m2_min"].iloc[-1]
    ),
    "price_gini_change": lambda r, s: float(
        r.city["price_gini"].iloc[-1] - r.city["price_gini"].iloc[0]
    ),
    "moves_within_city_per_year": lambda r, s: _yearly_rate(
        r.city,
        r.city["moves_out_persons"]
        - r.city["moves_out_to_outside_persons"]
        + r.city["moves_within_persons"],
    ),
    "moves_across_boundary_per_year": lambda r, s: _yearly_rate(
        r.city, r.city["moves_in_from_outside_persons"] + r.city["moves_out_to_outside_persons"]
    ),
    "district_turnover_min_per_year": lambda r, s: float(_turnover(r).min()),
    "district_turnover_max_per_year": lambda r, s: float(_turnover(r).max()),
    "detached_turnover_max_per_year": lambda r, s: float(
        _turnover(r)[_detached(s)].max() if _detached(s) else np.nan
    ),
    "participation_city_min_year": lambda r, s: float(
        r.city["participation_rate"].groupby(_years(r.city)).mean().min()
    ),
    "participation_city_max_year": lambda r, s: float(
        r.city["participation_rate"].groupby(_years(r.city)).mean().max()
    ),
    "participation_district_max_year": lambda r, s: float(
        _district_yearly(r, "participation_rate").to_numpy().max()
    ),
    "members_share_max_year": lambda r, s: float(
        (r.city["members_persons"] / r.city["population"]).groupby(_years(r.city)).mean().max()
    ),
}
"""Measures by name: a function of a finished run and its scenario that returns one number."""


@dataclass(frozen=True)
class Target:
    """One calibration target (a table of a targets file)."""

    name: str
    measure: str
    unit: str
    low: float | None
    high: float | None
    kind: str
    source: str

    def band(self) -> str:
        """Return the acceptable range as text: ``a to b``, ``>= a`` or ``<= b``."""
        if self.low is None:
            return f"<= {self.high:g}"
        if self.high is None:
            return f">= {self.low:g}"
        return f"{self.low:g} to {self.high:g}"

    def met(self, value: float) -> bool:
        """True if ``value`` lies in the target's range (a NaN value never does)."""
        if np.isnan(value):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def load_targets(ref: str) -> tuple[Target, ...]:
    """Load a targets file: a bundled name (``"helsinki"``) or a path; errors name file and key."""
    path = TARGETS_DIR / f"{ref}.toml" if (TARGETS_DIR / f"{ref}.toml").is_file() else Path(ref)
    if not path.is_file():
        bundled = ", ".join(sorted(p.stem for p in TARGETS_DIR.glob("*.toml")))
        raise ScenarioError(ref, "", ref, f"a targets file or a bundled name ({bundled})")
    file = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(file, "", str(err), "valid TOML") from None
    rows = raw.get("targets")
    if set(raw) != {"targets"} or not isinstance(rows, list) or not rows:
        raise ScenarioError(file, "targets", list(raw), "only [[targets]] tables, at least one")
    return tuple(_target(row, file, f"targets[{i}]") for i, row in enumerate(rows))


def _target(row: object, file: str, where: str) -> Target:
    """Check one ``[[targets]]`` table."""
    keys = ("name", "measure", "unit", "low", "high", "kind", "source")
    if not isinstance(row, dict):
        raise ScenarioError(file, where, row, "a [[targets]] table")
    for key in row:
        if key not in keys:
            raise ScenarioError(file, f"{where}.{key}", row[key], f"one of {', '.join(keys)}")
    text = {
        k: check_scalar(row.get(k), str, None, None, "a text", file=file, key=f"{where}.{k}")
        for k in ("name", "measure", "unit", "kind", "source")
    }
    if text["measure"] not in MEASURES:
        raise ScenarioError(
            file, f"{where}.measure", text["measure"], f"one of {', '.join(MEASURES)}"
        )
    if text["kind"] not in KINDS:
        raise ScenarioError(file, f"{where}.kind", text["kind"], f"one of {', '.join(KINDS)}")
    bounds = {
        k: None
        if row.get(k) is None
        else check_scalar(row[k], float, None, None, "a number", file=file, key=f"{where}.{k}")
        for k in ("low", "high")
    }
    if bounds["low"] is None and bounds["high"] is None:
        raise ScenarioError(file, f"{where}.low", None, "low, high or both")
    if None not in bounds.values() and bounds["high"] < bounds["low"]:
        raise ScenarioError(
            file, f"{where}.high", bounds["high"], f"at least low ({bounds['low']})"
        )
    return Target(**text, **bounds)


def evaluate(result: RunResult, scenario: Scenario, targets: tuple[Target, ...]) -> pd.DataFrame:
    """Measure a run against the targets: one row per target with its value and whether it is met.

    Columns: target, kind, measure, unit, value, low, high, met, source.
    """
    rows = []
    for t in targets:
        value = MEASURES[t.measure](result, scenario)
        rows.append(
            {
                "target": t.name,
                "kind": t.kind,
                "measure": t.measure,
                "unit": t.unit,
                "value": value,
                "low": np.nan if t.low is None else t.low,
                "high": np.nan if t.high is None else t.high,
                "met": t.met(value),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)
