"""Observation: preallocated monthly district records, tidy tables, and writing them.

Results are declared up front (:data:`DISTRICT_COLUMNS`) and preallocated for
the whole horizon; each month the model fills one row per district. District
aggregates only: per-resident reporters would cost memory fast.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from districtsim.residents import TENURES

DISTRICT_COLUMNS: dict[str, str] = {
    "population": "residents, persons",
    "dwellings": "dwellings built",
    "vacancies": "vacant dwellings",
    "price_eur_m2": "price of an old flat, EUR/m2",
    "identity": "identity, 0..1",
    "liveability": "liveability, 0..1",
    "reputation": "outsiders' reputation, 0..1",
    "attractiveness": "logit attractiveness for a reference mover relative to district size (1 = city average)",
    "participation_rate": "share of residents active this month",
    "active_persons": "residents active this month, persons",
    "members_persons": "association members, persons",
    "active_members_persons": "association members active this month (the association's active core), persons",
    "volunteers_persons": "volunteers, persons",
    "channel_coverage": "probability a resident is reached by the channels this month",
    "n_channels": "channels running",
    "outside_visibility": "probability an outside actor sees the district's channels",
    "events": "events held this month",
    "collective_knowledge_person_months": "collective knowledge, documented person-months",
    "knowledge_public_share": "public share of collective knowledge",
    "competence_inside_persons": "active competent residents, persons",
    "competence_outside_persons": "active competent people outside the district tied to active residents, persons",
    "moves_in_persons": "moves into the district this month (from other districts and from outside), persons",
    "moves_in_from_outside_persons": "newcomers from outside the city this month, persons",
    "moves_out_persons": "moves out of the district this month (to other districts or out of the city), persons",
    "moves_out_to_outside_persons": "moves out of the city this month, persons",
    "moves_out_burden_persons": "moves out caused by housing burden (displacement), persons",
    "moves_out_liveability_persons": "moves out caused by low liveability, persons",
    "moves_out_other_persons": "moves out for other reasons (life events), persons",
    "moves_out_owner_persons": "moves out by owner-occupiers (of moves out), persons",
    "moves_out_private_persons": "moves out by private renters (of moves out), persons",
    "moves_out_social_persons": "moves out by social renters (of moves out), persons",
    "moves_out_burden_owner_persons": "moves out caused by housing burden, by owner-occupiers, persons",
    "moves_out_burden_private_persons": "moves out caused by housing burden, by private renters, persons",
    "moves_out_burden_social_persons": "moves out caused by housing burden, by social renters, persons",
    "moves_within_persons": "moves inside the district this month, persons",
    "mean_income_eur": "mean income of residents, EUR/year",
    "months_in_district_mean": "mean months in the district, months",
    "local_firms": "local firms",
    "local_firms_developing": "local firms with an interest in product development of at least 0.5",
    "association_orientation": "lead association's future orientation, 0..1",
    "members_district_association_persons": "members of the district association (the lead), persons",
    "members_housing_company_persons": "members of housing companies and tenant committees, persons",
    "members_school_persons": "members of the school's parents' association, persons",
    "members_developer_network_persons": "members of the developer network, persons",
    "developer_network_orientation": "developer network's future orientation, 0..1 (empty where the district has none)",
    "partners": "running partnerships with outside firms and research institutes",
    "partners_local": "running partnerships with the district's own local firms",
    "external_persons": "outside experts brought by partnerships, persons",
    "external_eur": "partners' own contributions this month, EUR",
    "innovations": "innovations this month",
    "commercial_value_eur": "commercial value of this month's innovations, EUR (transferable)",
    "local_benefit": "local benefit of recent innovations (feeds liveability and achievements), liveability units",
    "is_platform": "1 while the district holds innovation-platform status (program funding), else 0",
    "public_support_persons": "program staff working with the district, persons",
    "public_support_eur": "program grant paid this month, EUR",
}
"""Numeric columns of ``districts.parquet`` (besides month, district and mode) and their units."""


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
        self.city_extra: dict[str, np.ndarray] = {"displacement_persons": np.zeros(months)}
        self.n_recorded = 0

    def record(
        self, t: int, values: dict[str, np.ndarray], mode: list[str], displacement: float
    ) -> None:
        """Store month ``t``'s district values (every key of DISTRICT_COLUMNS)."""
        for k in DISTRICT_COLUMNS:
            self.data[k][t] = values[k]
        self.mode[t] = mode
        self.city_extra["displacement_persons"][t] = displacement
        self.n_recorded = t + 1

    def districts_frame(self) -> pd.DataFrame:
        """Return the tidy district x month table."""
        m, d = self.n_recorded, len(self.names)
        df = pd.DataFrame(
            {
                "month": np.repeat(np.arange(m), d).astype(np.int32),
                "district": pd.Categorical(np.tile(self.names, m), categories=self.names),
                "mode": pd.Categorical(
                    self.mode[:m].ravel().astype(str),
                    categories=["traditional", "creative", "innovation_platform"],
                ),
            }
        )
        for k in DISTRICT_COLUMNS:
            df[k] = self.data[k][:m].ravel()
        return df

    def city_frame(self) -> pd.DataFrame:
        """Return the city x month table: totals, population-weighted means, Gini, displacement."""
        m = self.n_recorded
        g = {k: v[:m] for k, v in self.data.items()}
        pop = g["population"]
        w = np.where(
            pop.sum(axis=1, keepdims=True) > 0,
            pop / np.maximum(pop.sum(axis=1, keepdims=True), 1e-12),
            0.0,
        )
        out: dict[str, Any] = {"month": np.arange(m, dtype=np.int32)}
        totals = (
            "population",
            "dwellings",
            "vacancies",
            "active_persons",
            "members_persons",
            "active_members_persons",
            "moves_in_persons",
            "moves_in_from_outside_persons",
        )
        totals += (
            "moves_out_persons",
            "moves_out_to_outside_persons",
            "moves_out_burden_persons",
            "moves_within_persons",
            "local_firms",
            "events",
        )
        totals += tuple(f"moves_out_{k}{t}_persons" for k in ("", "burden_") for t in TENURES)
        totals += ("partners", "innovations", "commercial_value_eur", "public_support_eur")
        for k in totals:
            out[k] = g[k].sum(axis=1)
        out["participation_rate"] = out["active_persons"] / np.maximum(out["population"], 1e-12)
        for k in (
            "price_eur_m2",
            "identity",
            "liveability",
            "reputation",
            "channel_coverage",
            "mean_income_eur",
        ):
            out[f"{k}_mean"] = (g[k] * w).sum(axis=1)
        out["price_eur_m2_min"] = g["price_eur_m2"].min(axis=1)
        out["price_eur_m2_max"] = g["price_eur_m2"].max(axis=1)
        out["price_gini"] = np.array(
            [weighted_gini(g["price_eur_m2"][t], pop[t]) for t in range(m)]
        )
        out["displacement_persons"] = self.city_extra["displacement_persons"][:m]
        out["creative_districts"] = (self.mode[:m] == "creative").sum(axis=1)
        out["innovation_platform_districts"] = (self.mode[:m] == "innovation_platform").sum(axis=1)
        return pd.DataFrame(out)


@dataclass
class RunResult:
    """What one run returns: tidy tables and metadata."""

    districts: pd.DataFrame
    city: pd.DataFrame
    events: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    criteria: pd.DataFrame | None = None


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
