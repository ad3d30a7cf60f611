"""The outcomes ``districtsim compare`` reports: names, labels, units and directions.

Each outcome of :data:`OUTCOMES` names its source columns in the district and city tables
(:mod:`districtsim.outputs`, which declares their kind, unit and direction); the evaluation
criteria (:mod:`districtsim.criteria`) are compared as ``criteria.<column>``. The names live
here, below the batch layer, so that a scenario can name its focus outcomes
(:mod:`districtsim.scenario`) without importing the comparison machinery;
:mod:`districtsim.compare` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from districtsim.criteria import CRITERIA_GROUPS
from districtsim.outputs import Column, column


@dataclass(frozen=True)
class Outcome:
    """One compared outcome: a label and its source column in each table.

    How a year summarises it and its unit come from the source columns' declarations
    (:mod:`districtsim.outputs`): the yearly sum of a flow, the yearly mean of a state.

    Attributes:
        label: Short human-readable label.
        district: Source column of ``districts.parquet``, or None (city only).
        city: Source column of ``city.parquet``, or None (districts only).
    """

    label: str
    district: str | None
    city: str | None

    def __post_init__(self) -> None:
        found = {(c.year, c.yearly_unit) for c in self.sources()}
        if len(found) != 1:
            raise ValueError(
                f"outcome {self.label!r}: its district and city columns must be summarised alike "
                f"(same kind and unit), got {sorted(found)}"
            )

    def sources(self) -> list[Column]:
        """Return the declarations of the source columns (district first)."""
        pairs = (("district", self.district), ("city", self.city))
        return [column(scope, name) for scope, name in pairs if name is not None]

    @property
    def how(self) -> str:
        """How a year summarises the outcome: ``"sum"`` (flows) or ``"mean"`` (states)."""
        return self.sources()[0].year

    @property
    def unit(self) -> str:
        """Unit of the yearly value (a flow per year, a state's unit)."""
        return self.sources()[0].yearly_unit

    @property
    def direction(self) -> str:
        """Whether more is better for residents: ``higher``, ``lower`` or ``neither``.

        As the source columns declare it (:data:`districtsim.outputs.DIRECTIONS`); the city
        column's when district and city disagree (a count of districts is not a district's).
        """
        return self.sources()[-1].direction


OUTCOMES: dict[str, Outcome] = {
    "price_eur_m2": Outcome("price of an old flat", "price_eur_m2", "price_eur_m2_mean"),
    "reputation": Outcome("reputation", "reputation", "reputation_mean"),
    "liveability": Outcome("liveability", "liveability", "liveability_mean"),
    "identity": Outcome("identity", "identity", "identity_mean"),
    "participation_rate": Outcome(
        "participation (residents active in a month)",
        "participation_rate",
        "participation_rate",
    ),
    "population": Outcome("residents", "population", "population"),
    "displacement_persons": Outcome(
        "displacement (moves out because of housing burden)",
        "moves_out_burden_persons",
        "displacement_persons",
    ),
    "moves_out_persons": Outcome(
        "moves out of a district", "moves_out_persons", "moves_out_persons"
    ),
    "innovations": Outcome("innovations", "innovations", "innovations"),
    "commercial_value_eur": Outcome(
        "commercial value of innovations", "commercial_value_eur", "commercial_value_eur"
    ),
    "public_support_eur": Outcome(
        "public support (program grants paid)", "public_support_eur", "public_support_eur"
    ),
    "price_gini": Outcome("inequality of prices between districts (Gini)", None, "price_gini"),
}
"""Outcomes from the district and city tables: name -> label and source columns.

District values come from ``districts.parquet`` (column ``district``), city
values from ``city.parquet`` (column ``city``); a year is summarised as the
source columns are declared (:mod:`districtsim.outputs`: flows sum, states
average). ``price_gini`` exists only for the city.
"""

CRITERIA_UNITS: dict[str, str] = {
    "commercial_value_eur": "EUR/year",
    "external_persons": "persons",
    "external_eur": "EUR/year",
    "collective_knowledge_person_months": "person-months",
    "knowledge_public_share": "share",
    "competence_persons": "persons",
    "competence_outside_share": "share",
    "public_support_persons": "persons",
    "public_support_eur": "EUR/year",
    "liveability": "0..1",
    "reputation": "0..1",
    "attractiveness": "index",
    "vitality_firms_per_1000": "firms per 1,000 residents",
    "housing_value_eur_m2": "EUR/m2",
    "channel_coverage": "probability/month",
    "mobilisation_rate": "share",
    "identity": "0..1",
}
"""Units of the criteria columns compared (``criteria.<column>`` outcomes)."""

CRITERIA_PREFIX = "criteria."


def criteria_outcomes() -> list[str]:
    """Return the criteria columns compared: those of the seven criteria groups, in group order."""
    seen: list[str] = []
    for columns in CRITERIA_GROUPS.values():
        seen.extend(c for c in columns if c not in seen)
    return seen


def outcome_unit(outcome: str) -> str:
    """Return the unit of an outcome name of the comparison tables."""
    if outcome.startswith(CRITERIA_PREFIX):
        return CRITERIA_UNITS.get(outcome.removeprefix(CRITERIA_PREFIX), "")
    return OUTCOMES[outcome].unit


def outcome_direction(outcome: str) -> str:
    """Return whether more of an outcome is better for residents.

    ``higher``, ``lower`` or ``neither``; the criteria are ``neither`` (scores of the
    program's evaluation).
    """
    if outcome.startswith(CRITERIA_PREFIX):
        return "neither"
    return OUTCOMES[outcome].direction


def outcome_label(outcome: str) -> str:
    """Return a short human-readable label of an outcome name."""
    if outcome.startswith(CRITERIA_PREFIX):
        return "criterion: " + outcome.removeprefix(CRITERIA_PREFIX).replace("_", " ")
    return OUTCOMES[outcome].label


def outcome_names() -> list[str]:
    """Return every outcome name in table order: :data:`OUTCOMES`, then the criteria."""
    return [*OUTCOMES, *(CRITERIA_PREFIX + c for c in criteria_outcomes())]
