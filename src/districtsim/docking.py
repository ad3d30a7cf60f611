"""Docking the per-agent reference with the engine: the outputs, the paired test, changed rules.

The engine (:class:`districtsim.model.DistrictModel`) and the per-agent reference
(:class:`districtsim.reference.ReferenceModel`) implement the same resident rules twice. They
dock (Axtell, Axelrod, Epstein & Cohen 1996) when their runs agree in distribution: both run
the default city at scale :data:`SCALE` for :data:`MONTHS` months on the same seeds (each pair
starts from the same month-0 city), :data:`OUTPUTS` are read from each run's records, and
each output is compared with a paired t-test of the per-seed differences; the p-values are
Holm-corrected over the outputs (:func:`docking_pvalues`). The docking passes when every
corrected p-value is above :data:`ALPHA`.

A reference with one rule changed on purpose (:data:`MUTANTS`) shows what the test can
detect. ``tests/test_reference.py`` runs the docking on seeds 1-20 with two mutants;
``experiments/docking/docking_study.py`` runs five seed sets and five mutants and writes
the result files that ``docs/reference.md`` quotes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from districtsim.model import DistrictModel
from districtsim.reference import Market, ReferenceModel, Resident
from districtsim.scenario import Scenario, load_scenario

CITY = "helsinki"
"""The docked city: the default city (in ``two_districts`` every district is near for every
mover, so the nearness term would change nothing)."""
MONTHS = 12
SCALE = 0.003
"""About 2,100 residents in 34 districts."""
ALPHA = 0.01
"""The docking fails when a Holm-corrected p-value is at or below this."""
OUTPUTS = (
    "participation",
    "members",
    "moves_out_other",
    "moves_out_liveability",
    "moves_out_burden",
    "moves_in",
    "moves_within",
    "price",
    "price_gap",
)


def docking_scenario() -> Scenario:
    """Return the docked scenario: :data:`CITY` at :data:`SCALE` for :data:`MONTHS` months."""
    return (
        load_scenario(CITY)
        .with_option("months", MONTHS, "--months")
        .with_option("scale", SCALE, "--scale")
    )


def summary(model: DistrictModel) -> list[float]:
    """Return the OUTPUTS of one run: means over the months, totals of moves, the last prices."""
    data = model.recorder.data
    city = model.recorder.city_frame()
    return [
        city["participation_rate"].mean(),
        city["members_persons"].mean(),
        data["moves_out_other_persons"].sum(),
        data["moves_out_liveability_persons"].sum(),
        data["moves_out_burden_persons"].sum(),
        data["moves_in_persons"].sum(),
        data["moves_within_persons"].sum(),
        city["price_eur_m2_mean"].iloc[-1],
        city["price_gap_creative_traditional_eur_m2"].iloc[-1],
    ]


def replicates(
    model_class: type[DistrictModel], seeds: Iterable[int], scenario: Scenario | None = None
) -> np.ndarray:
    """Return the OUTPUTS of one run per seed (seeds x outputs)."""
    scenario = docking_scenario() if scenario is None else scenario
    rows = []
    for seed in seeds:
        model = model_class(scenario, seed=seed)
        for _ in range(scenario.months):
            model.step()
        rows.append(summary(model))
    return np.array(rows)


def holm(p: np.ndarray) -> np.ndarray:
    """Return Holm-corrected p-values (family-wise error over the outputs)."""
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((p.size - np.arange(p.size)) * p[order]))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def docking_pvalues(engine: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """Return the Holm-corrected p-value of a paired t-test per output (1 where no difference)."""
    from scipy import stats

    diff = np.asarray(reference, dtype=float) - np.asarray(engine, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = stats.ttest_1samp(diff, 0.0).pvalue
    p = np.where(np.isfinite(p), p, 1.0)
    return dict(zip(OUTPUTS, holm(p), strict=True))


# Changed rules ---------------------------------------------------------------------------


class NoBurdenResident(Resident):
    """Changed rule: the move-out hazard without the housing-burden term."""

    def housing_burden(self, market: Market) -> float:
        """No burden: 0."""
        return 0.0


class ActiveJoinOnlyResident(Resident):
    """Changed rule: MODEL 5.3's membership rule, where only active residents join.

    ODD 7.4 adds that a reached non-member joins with ``p_join_reached * engagement``.
    """

    def update_membership(self, rng: np.random.Generator) -> None:
        """ODD 7.4, step 1, as if not reached this month."""
        reached, self.is_reached = self.is_reached, False
        super().update_membership(rng)
        self.is_reached = reached


class MembersStayResident(Resident):
    """Changed rule: members never leave their association (no monthly exit)."""

    def update_membership(self, rng: np.random.Generator) -> None:
        """ODD 7.4, step 1, without the exit of members."""
        if self.member_of >= 0:
            rng.random()  # the exit draw, unused
            return
        super().update_membership(rng)


class NoNearResident(Resident):
    """Changed rule: movers inside the city do not prefer their own and adjacent districts."""

    def value_districts(self, market: Market, searching: bool) -> None:
        """ODD 7.7 as for a newcomer: no district is near."""
        super().value_districts(market, searching=False)


class DeafToTiesResident(Resident):
    """Changed rule: hearing ignores active ties (reached with ``p = r_d`` only).

    The tie counts are still taken (the share of active ties in the threshold rule).
    """

    def hear(self, reach: float, rng: np.random.Generator) -> None:
        """ODD 7.2 with ``q_tie`` = 0: reached with the district's reach ``r_d``."""
        self.count_ties()
        self.is_reached = rng.random() < reach


def reference_with(resident_class: type[Resident]) -> type[ReferenceModel]:
    """Return a ReferenceModel subclass whose agents are ``resident_class``."""
    return type(
        f"{resident_class.__name__}Reference", (ReferenceModel,), {"resident_class": resident_class}
    )


@dataclass(frozen=True)
class Mutant:
    """A reference with one rule changed, and the output that rule drives."""

    name: str
    model_class: type[ReferenceModel]
    output: str
    change: str


MUTANTS = (
    Mutant(
        "no_burden",
        reference_with(NoBurdenResident),
        "moves_out_burden",
        "move-out hazard without the housing-burden term",
    ),
    Mutant(
        "active_join_only",
        reference_with(ActiveJoinOnlyResident),
        "members",
        "MODEL 5.3's joining rule: only active residents join",
    ),
    Mutant(
        "members_stay",
        reference_with(MembersStayResident),
        "members",
        "members never leave",
    ),
    Mutant(
        "no_near",
        reference_with(NoNearResident),
        "moves_within",
        "movers without the nearness term of location choice",
    ),
    Mutant(
        "deaf_to_ties",
        reference_with(DeafToTiesResident),
        "participation",
        "hearing ignores active ties",
    ),
)
"""The changed rules of the docking study, each with the output it drives."""
