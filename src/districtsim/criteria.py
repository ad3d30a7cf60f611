"""The seven evaluation criteria of an innovation platform (MODEL 5.10) [S4].

The criteria are computed from the recorded district months of one program
year (October to September), so the table is a summary of the same state the
district table shows; the funder scores applications from these figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from districtsim.params import Program

CRITERIA_COLUMNS: dict[str, str] = {
    "commercial_value_eur": (
        "1 commercially valuable benefit: value of the year's innovations, EUR (transferable)"
    ),
    "external_persons": (
        "2 external resources: outside experts in partnerships, persons (mean over the year)"
    ),
    "external_eur": "2 external resources: partners' own contributions over the year, EUR",
    "collective_knowledge_person_months": "3 local collective knowledge at year end, person-months",
    "knowledge_public_share": "3 public share of that knowledge at year end",
    "competence_persons": (
        "4 competence network: active competent residents and outside experts, persons (mean)"
    ),
    "competence_outside_share": (
        "4 share of the competence network from outside the district (mean)"
    ),
    "public_support_persons": "5 public support: program staff, persons (mean)",
    "public_support_eur": "5 public support: grants paid over the year, EUR",
    "liveability": "6 local benefit: liveability at year end, 0..1",
    "reputation": "6 local benefit: reputation at year end, 0..1",
    "attractiveness": "6 local benefit: attractiveness index at year end (1 = city average)",
    "vitality_firms_per_1000": (
        "6 local benefit: vitality, local firms per 1,000 residents at year end"
    ),
    "housing_value_eur_m2": "6 local benefit: housing value, price at year end, EUR/m2",
    "channel_coverage": "7 communication structure: channel coverage (mean)",
    "mobilisation_rate": "7 communication structure: share of residents active in a month (mean)",
    "identity": "7 identity at year end, 0..1",
    "population": "residents at year end, persons (for per-capita scoring)",
}
"""Columns of ``criteria.parquet`` (besides program_year and district) and their units."""

CRITERIA_GROUPS: dict[str, tuple[str, ...]] = {
    "w_commercial": ("commercial_value_eur",),
    "w_external": ("external_persons", "external_eur"),
    "w_knowledge": ("collective_knowledge_person_months", "knowledge_public_share"),
    "w_competence": ("competence_persons", "competence_outside_share"),
    "w_support": ("public_support_persons", "public_support_eur"),
    "w_benefit": (
        "liveability",
        "reputation",
        "attractiveness",
        "vitality_firms_per_1000",
        "housing_value_eur_m2",
    ),
    "w_structure": ("channel_coverage", "mobilisation_rate", "identity"),
}
"""Which criteria columns each weight of the ``[program]`` table scores."""

EXTENSIVE: tuple[str, ...] = (
    "commercial_value_eur",
    "external_persons",
    "external_eur",
    "collective_knowledge_person_months",
    "competence_persons",
    "public_support_persons",
    "public_support_eur",
)
"""Criteria that grow with a district's size.

They are scored per 10,000 residents when ``score_per_capita`` is on.
"""


def criteria(data: dict[str, np.ndarray], months: slice) -> dict[str, np.ndarray]:
    """Return the criteria per district over the recorded ``months`` of ``data``.

    The result maps each name to an array of shape (months, D).
    """
    g = {k: v[months] for k, v in data.items()}
    last = {k: v[-1] for k, v in g.items()}
    competence = g["competence_inside_persons"] + g["competence_outside_persons"]
    pop = np.maximum(last["population"], 1.0)
    return {
        "commercial_value_eur": g["commercial_value_eur"].sum(axis=0),
        "external_persons": g["external_persons"].mean(axis=0),
        "external_eur": g["external_eur"].sum(axis=0),
        "collective_knowledge_person_months": last["collective_knowledge_person_months"],
        "knowledge_public_share": last["knowledge_public_share"],
        "competence_persons": competence.mean(axis=0),
        "competence_outside_share": (
            g["competence_outside_persons"] / np.maximum(competence, 1e-12)
        ).mean(axis=0),
        "public_support_persons": g["public_support_persons"].mean(axis=0),
        "public_support_eur": g["public_support_eur"].sum(axis=0),
        "liveability": last["liveability"],
        "reputation": last["reputation"],
        "attractiveness": last["attractiveness"],
        "vitality_firms_per_1000": last["local_firms"] / (pop / 1000.0),
        "housing_value_eur_m2": last["price_eur_m2"],
        "channel_coverage": g["channel_coverage"].mean(axis=0),
        "mobilisation_rate": g["participation_rate"].mean(axis=0),
        "identity": last["identity"],
        "population": last["population"],
    }


def group_scores(
    values: dict[str, np.ndarray], p: Program, groups: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """Return each criteria group's score per district.

    The score is the mean z-score of the group's columns across districts.

    Keys are the weights of the ``[program]`` table (:data:`CRITERIA_GROUPS`);
    ``groups`` limits them (default: all seven).
    With ``score_per_capita`` the criteria that grow with size (:data:`EXTENSIVE`)
    are divided by residents (per 10,000) first, so the call rewards results
    relative to a district's size rather than its size.
    """
    if p.score_per_capita and "population" in values:
        per_10k = np.maximum(values["population"], 1.0) / 1e4
        values = {k: v / per_10k if k in EXTENSIVE else v for k, v in values.items()}
    return {
        g: np.mean([_zscore(values[c]) for c in CRITERIA_GROUPS[g]], axis=0)
        for g in (groups if groups is not None else tuple(CRITERIA_GROUPS))
    }


def score(values: dict[str, np.ndarray], p: Program) -> np.ndarray:
    """Return each district's weighted criteria score.

    It is the groups' scores (:func:`group_scores`) weighted by the ``[program]`` weights.
    """
    total = np.zeros_like(next(iter(values.values())), dtype=float)
    weight_sum = 0.0
    weighted = tuple(g for g in CRITERIA_GROUPS if getattr(p, g) != 0)
    for weight_name, z in group_scores(values, p, weighted).items():
        w = getattr(p, weight_name)
        total += w * z
        weight_sum += w
    return total / weight_sum if weight_sum > 0 else total


def _zscore(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def criteria_frame(
    rows: list[dict[str, np.ndarray]], years: list[int], names: list[str]
) -> pd.DataFrame:
    """Return the tidy criteria table: one row per district and program year."""
    if not rows:
        return pd.DataFrame(
            {
                "program_year": pd.Series(dtype=np.int32),
                "district": pd.Categorical([], categories=names),
                **{c: pd.Series(dtype=float) for c in CRITERIA_COLUMNS},
            }
        )
    d = len(names)
    df = pd.DataFrame(
        {
            "program_year": np.repeat(years, d).astype(np.int32),
            "district": pd.Categorical(np.tile(names, len(rows)), categories=names),
        }
    )
    for c in CRITERIA_COLUMNS:
        df[c] = np.concatenate([r[c] for r in rows])
    return df
