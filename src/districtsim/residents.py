"""The resident population as a struct of arrays over dwelling places.

Residents live in *places*: one place houses one person, a district's places
are a contiguous block of the arrays, and each place has a fixed tenure
(owner-occupied, private rental, social rental) and the month it is built.
A place is occupied or vacant; when its occupant moves out and someone moves
in, the newcomer's attributes are written into the place. This keeps every
update a whole-array operation (no per-resident Python loop) and keeps the
arrays the same size for a whole run, so random draws stay aligned with
places across scenarios (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from districtsim import kernels
from districtsim.params import Params
from districtsim.rates import annual_probability_to_monthly_probability
from districtsim.scenario import DistrictSpec

OWNER, PRIVATE, SOCIAL = 0, 1, 2
TENURES: tuple[str, ...] = ("owner", "private", "social")


@dataclass
class Residents:
    """Per-place arrays (length ``n``); attributes describe the current occupant."""

    district: np.ndarray  # int16, fixed per place
    tenure: np.ndarray  # int8, fixed per place
    built_month: np.ndarray  # int16: the place exists from this month on
    occupied: np.ndarray  # bool
    income_eur: np.ndarray  # float32, EUR/year
    engagement: np.ndarray  # float32, 0..1
    orientation: np.ndarray  # float32, 0 history .. 1 future
    theta: np.ndarray  # float32, participation threshold (motivation units)
    months_in_district: np.ndarray  # int32
    price_ref_eur_m2: np.ndarray  # float32, the district price when the occupant moved in
    is_competent: np.ndarray  # bool
    member_of: (
        np.ndarray
    )  # int8, slot of the association in its district (Association.slot), -1 = none
    is_active: np.ndarray  # bool, took part this month
    was_active: np.ndarray  # bool, took part last month
    is_reached: np.ndarray  # bool, reached this month by a channel, an event or a tie
    n_active_ties: np.ndarray  # small unsigned int, ties to residents active last month
    n_occupied_ties: np.ndarray  # small unsigned int, ties to occupied places

    @property
    def is_member(self) -> np.ndarray:
        """Bool per place: the occupant is a member of an association (from ``member_of``)."""
        return self.member_of >= 0

    @property
    def n(self) -> int:
        """Number of places (occupied or not, built or not)."""
        return int(self.district.shape[0])

    def reset_occupants(self, idx: np.ndarray) -> None:
        """Clear the per-occupant state of places ``idx`` (their occupant left)."""
        self.occupied[idx] = False
        self.member_of[idx] = -1
        self.is_active[idx] = False
        self.was_active[idx] = False


class Blocks:
    """Per-district reductions and broadcasts over the contiguous blocks of places.

    A district's places are one contiguous slice of the resident arrays, so a
    per-district count or sum is a segmented reduction (no ``bincount`` with a
    float64 copy of the weights), and a per-district value is spread to its
    places with ``np.repeat`` (no gather through the district index).

    Args:
        block_start: First place of each district (length D + 1, non-decreasing).
    """

    def __init__(self, block_start: np.ndarray) -> None:
        self.start = np.asarray(block_start, dtype=np.int64)
        self.size = np.diff(self.start)
        self.n_blocks = self.size.shape[0]
        self._nonempty = self.size > 0
        self._offsets = self.start[:-1][self._nonempty]

    def _reduce(self, x: np.ndarray, dtype: type) -> np.ndarray:
        out = np.zeros(self.n_blocks, dtype=dtype)
        if self._offsets.size:
            out[self._nonempty] = np.add.reduceat(x, self._offsets, dtype=dtype)
        return out

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Return the number of True places in each district (float, like ``bincount`` weights)."""
        return kernels.block_counts(np.asarray(mask, dtype=bool), self.start)

    def sum(self, values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Return the float64 sum of ``values`` in each district.

        With ``where``, only the places where it is True are summed.
        """
        if where is not None:
            values = np.where(where, values, values.dtype.type(0))
        return self._reduce(values, np.float64)

    def spread(self, values: np.ndarray, dtype: type = np.float32) -> np.ndarray:
        """Return the per-district ``values`` repeated over each district's places.

        That is ``values[district]`` for each place.
        """
        return np.repeat(np.asarray(values, dtype=dtype), self.size)


def district_blocks(
    specs: tuple[DistrictSpec, ...], params: Params, scale: float, months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per-district (initial places, places built later, initial residents), simulated units.

    Initial places are ``dwellings * persons_per_dwelling * scale``; places built
    during the run follow ``migration.construction_per_year`` compounded over
    the horizon.
    """
    ppd = params.housing.persons_per_dwelling
    dwell = np.array([d.dwellings for d in specs], dtype=float)
    pop = np.array([d.population for d in specs], dtype=float)
    places0 = np.maximum(np.round(dwell * ppd * scale), 1).astype(np.int64)
    residents0 = np.minimum(np.round(pop * scale), places0).astype(np.int64)
    growth = (1.0 + params.migration.construction_per_year) ** (months / 12.0) - 1.0
    later = np.round(places0 * growth).astype(np.int64)
    return places0, later, residents0


def draw_incomes(
    rng: np.random.Generator, median_eur: np.ndarray | float, sigma: float, n: int
) -> np.ndarray:
    """Draw lognormal incomes (EUR/year) around ``median_eur``."""
    return (np.asarray(median_eur) * np.exp(sigma * rng.standard_normal(n))).astype(np.float32)


def draw_engagement(
    rng: np.random.Generator, params: Params, tenure: np.ndarray, base: np.ndarray | None = None
) -> np.ndarray:
    """Draw engagement from Beta(a, b), with a bonus for owners (DiPasquale & Glaeser 1999).

    ``base``: the Beta draws, if already made (newcomers draw theirs before they choose a
    district, and get the owner bonus with the place they take).
    """
    pop = params.population
    if base is None:
        base = rng.beta(pop.engagement_a, pop.engagement_b, tenure.shape[0])
    return with_owner_bonus(base, tenure, params)


def with_owner_bonus(base: np.ndarray, tenure: np.ndarray, params: Params) -> np.ndarray:
    """Return engagement: ``base`` plus the owner bonus where ``tenure`` is owner, clipped 0..1."""
    e = base + params.population.owner_engagement_bonus * (tenure == OWNER)
    return np.clip(e, 0.0, 1.0).astype(np.float32)


def engagement_mean(params: Params) -> float:
    """Return the mean of the engagement distribution before the owner bonus, a / (a + b)."""
    pop = params.population
    return pop.engagement_a / (pop.engagement_a + pop.engagement_b)


def draw_orientation(
    rng: np.random.Generator, mean: np.ndarray | float, concentration: float, n: int
) -> np.ndarray:
    """Draw future orientation from a Beta distribution with the given mean and a+b."""
    mean = np.clip(np.broadcast_to(np.asarray(mean, dtype=float), (n,)), 0.01, 0.99)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration).astype(np.float32)


def draw_theta(rng: np.random.Generator, params: Params, n: int) -> np.ndarray:
    """Draw participation thresholds ~ Normal(theta_mean, theta_sd)."""
    mob = params.mobilisation
    return (mob.theta_mean + mob.theta_sd * rng.standard_normal(n)).astype(np.float32)


def init_residents(
    specs: tuple[DistrictSpec, ...],
    params: Params,
    scale: float,
    months: int,
    rng: np.random.Generator,
    extra: dict[int, list[tuple[int, np.ndarray, float, float]]] | None = None,
) -> Residents:
    """Build the places and the initial population of every district.

    Args:
        specs: The districts.
        params: Model parameters.
        scale: Fraction of the real population simulated.
        months: Horizon, for the places built during the run.
        rng: The ``init.residents`` stream.
        extra: Places added by housing interventions, per district index:
            (count, built month of each place, owner share, social share)
            (:func:`districtsim.interventions.housing_places`).

    Returns:
        The populated :class:`Residents`.

    The draws come in a fixed order (places, residence durations, engagement,
    incomes, orientation, thresholds, competence, membership); the golden
    baseline checks it.
    """
    blocks = district_blocks(specs, params, scale, months)
    district, tenure, built, occupied = lay_out_places(specs, blocks, months, rng, extra or {})
    n = district.shape[0]
    pop = params.population
    stay = draw_stay_months(rng, params, tenure)
    engagement = draw_engagement(rng, params, tenure)
    return Residents(
        district=district,
        tenure=tenure,
        built_month=built,
        occupied=occupied,
        income_eur=draw_incomes(rng, income_medians(specs, params)[district], pop.income_sigma, n),
        engagement=engagement,
        orientation=draw_orientation(
            rng, orientation_means(specs, params)[district], pop.orientation_concentration, n
        ),
        theta=draw_theta(rng, params, n),
        months_in_district=np.where(occupied, stay, 0).astype(np.int32),
        price_ref_eur_m2=initial_price_refs(specs, params, district, stay),
        is_competent=rng.random(n) < pop.p_competent,
        member_of=draw_initial_members(rng, params, engagement, occupied),
        is_active=np.zeros(n, dtype=bool),
        was_active=np.zeros(n, dtype=bool),
        is_reached=np.zeros(n, dtype=bool),
        n_active_ties=np.zeros(n, dtype=np.uint8),
        n_occupied_ties=np.zeros(n, dtype=np.uint8),
    )


def lay_out_places(
    specs: tuple[DistrictSpec, ...],
    blocks: tuple[np.ndarray, np.ndarray, np.ndarray],
    months: int,
    rng: np.random.Generator,
    extra: dict[int, list[tuple[int, np.ndarray, float, float]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the places' district, tenure, built month and initial occupancy.

    ``blocks`` is what :func:`district_blocks` returns; the other arguments are
    as for :func:`init_residents`. Draws district by district: the tenures,
    the built months of later places, the occupied initial places, then the
    places of housing interventions.
    """
    places0, later, residents0 = blocks
    added = np.array(
        [sum(n for n, *_ in extra.get(d, [])) for d in range(len(specs))], dtype=np.int64
    )
    sizes = places0 + later + added
    n = int(sizes.sum())
    district = np.repeat(np.arange(len(specs), dtype=np.int16), sizes)
    tenure = np.empty(n, dtype=np.int8)
    built = np.zeros(n, dtype=np.int16)
    occupied = np.zeros(n, dtype=bool)
    start = np.concatenate([[0], np.cumsum(sizes)])
    for d, spec in enumerate(specs):
        lo, hi = start[d], start[d + 1] - added[d]
        tenure[lo:hi] = draw_tenure(rng, hi - lo, spec.share_owner, spec.share_social)
        # Later places open evenly over the horizon (construction).
        if later[d] > 0:
            built[lo + places0[d] : hi] = np.sort(rng.integers(1, max(months, 2), later[d]))
        occupied[lo + rng.permutation(places0[d])[: residents0[d]]] = True
        # Places of housing interventions: their own tenure mix and completion months.
        for n_new, months_built, share_owner, share_social in extra.get(d, []):
            tenure[hi : hi + n_new] = draw_tenure(rng, n_new, share_owner, share_social)
            built[hi : hi + n_new] = months_built
            hi += n_new
    return district, tenure, built, occupied


def draw_tenure(
    rng: np.random.Generator, n: int, share_owner: float, share_social: float
) -> np.ndarray:
    """Draw ``n`` tenures: owner with ``share_owner``, social with ``share_social``, or private."""
    u = rng.random(n)
    return np.where(
        u < share_owner, OWNER, np.where(u < share_owner + share_social, SOCIAL, PRIVATE)
    )


def income_medians(specs: tuple[DistrictSpec, ...], params: Params) -> np.ndarray:
    """Return each district's median income (EUR/year), rising with its price level."""
    pop = params.population
    price = np.array([s.price_eur_m2 for s in specs])
    geo_price = np.exp(np.average(np.log(price), weights=[s.population for s in specs]))
    return pop.income_median_eur * (price / geo_price) ** pop.income_price_elasticity


def orientation_means(specs: tuple[DistrictSpec, ...], params: Params) -> np.ndarray:
    """Return each district's mean future orientation, by its mode."""
    pop = params.population
    return np.array(
        [
            pop.orientation_mean_creative
            if s.mode == "creative"
            else pop.orientation_mean_traditional
            for s in specs
        ]
    )


def draw_stay_months(rng: np.random.Generator, params: Params, tenure: np.ndarray) -> np.ndarray:
    """Draw the months each place's occupant has lived in the district at the start.

    Geometric with the tenure's move rate, capped at 60 years (a rate of 0 gives the cap).
    """
    mig = params.migration
    annual = np.array(
        [
            mig.move_rate_owner_per_year,
            mig.move_rate_private_per_year,
            mig.move_rate_social_per_year,
        ]
    )
    return (
        rng.geometric(np.maximum(annual_probability_to_monthly_probability(annual[tenure]), 1e-9))
        .clip(max=720)
        .astype(np.int32)
    )


def initial_price_refs(
    specs: tuple[DistrictSpec, ...], params: Params, district: np.ndarray, stay: np.ndarray
) -> np.ndarray:
    """Return each place's reference price: its district's price when the occupant moved in.

    The price is discounted by the price trend over the ``stay`` months lived there.
    """
    price = np.array([s.price_eur_m2 for s in specs])
    trend = params.housing.price_trend_per_year
    return (price[district] * np.exp(-np.log1p(trend) * stay / 12.0)).astype(np.float32)


def draw_initial_members(
    rng: np.random.Generator, params: Params, engagement: np.ndarray, occupied: np.ndarray
) -> np.ndarray:
    """Draw the initial members (``member_of``): the more engaged are more likely to be members.

    Initial members get slot 0 (the lead) here; the model then assigns each to an
    association (:func:`districtsim.orgs.associations.create_associations`).
    """
    p_member = (
        params.associations.initial_member_share * engagement / max(float(engagement.mean()), 1e-9)
    )
    n = occupied.shape[0]
    return np.where(occupied & (rng.random(n) < p_member), 0, -1).astype(np.int8)
