"""Initialisation (ODD section 5): places, residents, ties, organisations and initial stocks.

:func:`initialise` builds a model's state from its scenario in a fixed order (the order in
which Mesa agents are created sets their ``unique_id``): places and residents, ties, local
firms, associations, the district stocks near their targets, then the outside actors, the
program year and the interventions. Every random draw comes from a named ``init.*`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from districtsim import communication, housing, kernels, migration, mobilisation, reputation, stocks
from districtsim.districts import Districts
from districtsim.errors import ScenarioError
from districtsim.interventions import InterventionRunner, housing_places
from districtsim.migration import income_homophily
from districtsim.network import Ties
from districtsim.orgs.associations import (
    create_associations,
    expected_events_per_year,
    volunteer_chance,
)
from districtsim.orgs.firms import create_local_firms
from districtsim.partnerships import create_outside_actors
from districtsim.program import ProgramYear
from districtsim.rates import annual_rate_to_monthly
from districtsim.residents import (
    Blocks,
    draw_incomes,
    draw_orientation,
    engagement_mean,
    init_residents,
)

if TYPE_CHECKING:
    from districtsim.model import DistrictModel

PARTICIPATION_AT_START = 0.04
"""Starting guess of the fixed point of :func:`initial_participation` (share of residents)."""

PARTICIPATION_ITERATIONS = 200
"""At most this many damped iterations of the mean-field participation fixed point."""

PARTICIPATION_TOLERANCE = 1e-7
"""The fixed point stops when no district's participation moves by more than this."""

REPUTATION_ITERATIONS = 200
"""Fixed-point iterations of the initial reputation's spill-over between neighbours."""


def initialise(model: DistrictModel) -> None:
    """Build every part of the model's state from ``model.config``, in creation order."""
    build_geography(model)
    build_population(model)
    model.districts = Districts.empty(model.n_districts)
    model.districts.mode = [spec.mode for spec in model.config.districts]
    model.firms = create_local_firms(model)
    model.districts.local_firms = model.firms.per_district(model.n_districts)
    create_associations(model)
    initial_stocks(model)
    create_outside_actors(model)
    initial_activity(model)
    model.program = ProgramYear(model)
    model.interventions = InterventionRunner(model, model.config.interventions)


def build_geography(model: DistrictModel) -> None:
    """Set the adjacency matrix of the districts and ``near`` (adjacent or the same district)."""
    nd = model.n_districts
    pairs = model.config.adjacency_pairs()
    rows = [i for i, j in pairs] + [j for i, j in pairs]
    cols = [j for i, j in pairs] + [i for i, j in pairs]
    model.adjacency = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(nd, nd))
    model.near = (model.adjacency.toarray() > 0) | np.eye(nd, dtype=bool)


def build_population(model: DistrictModel) -> None:
    """Create the places and residents (with the places of housing interventions) and the ties.

    Also sets the per-place index into the reach table and the buffers of the tie counts
    that the monthly phases use.

    Raises:
        ScenarioError: When the scale leaves fewer than two simulated residents.
    """
    scenario = model.config
    p = model.params
    nd = model.n_districts
    extra = housing_places(
        scenario.interventions, model.names, p.housing.persons_per_dwelling, model.scale
    )
    stream = model.streams.get("init.residents")
    model.residents = r = init_residents(
        scenario.districts, p, model.scale, model.horizon, stream, extra
    )
    model.block_start = np.concatenate([[0], np.cumsum(np.bincount(r.district, minlength=nd))])
    model.blocks = Blocks(model.block_start)
    adj = model.adjacency
    neighbours = [adj.indices[adj.indptr[d] : adj.indptr[d + 1]] for d in range(nd)]
    if model.block_start[-1] < 2:
        expected = "a scale large enough to simulate at least two residents (raise --scale)"
        raise ScenarioError(scenario.source, "scenario.scale", scenario.scale, expected)
    model.ties = Ties(
        model.block_start,
        neighbours,
        p.network.ties_per_resident,
        p.network.share_within_district,
        model.streams.get("init.ties"),
    )
    # Place index into a (district, number of active ties) table: reach probabilities are
    # computed per table cell, not per resident.
    model.reach_index = r.district.astype(np.intp) * (model.ties.k + 1)
    # Tie counts, rewritten in place each month (communication.reach_residents).
    r.n_active_ties = np.zeros(r.n, dtype=np.min_scalar_type(model.ties.k))
    r.n_occupied_ties = np.zeros_like(r.n_active_ties)
    model.tie_code = np.zeros(r.n, dtype=kernels.code_dtype(model.ties.k))


def initial_stocks(model: DistrictModel) -> None:
    """Set the district stocks near their targets, with prices consistent with the hedonic rule."""
    r = model.residents
    ds = model.districts
    p = model.params
    nd = model.n_districts
    specs = model.config.districts
    ds.amenity = np.array([d.amenity for d in specs])
    ds.meeting_places = np.array([d.meeting_places for d in specs], dtype=np.int64)
    pop = np.array([d.population for d in specs], dtype=float)
    creative = np.array([m == "creative" for m in ds.mode])
    events0 = expected_events_per_year(model)
    channels = communication.district_channels(model.all_associations, nd)
    coverage0, reach0, ds.visibility = communication.district_reach(
        channels, p.communication, np.zeros(nd, bool), creative
    )
    model.participation0 = initial_participation(model, coverage0, reach0, events0, creative)
    ds.identity = stocks.identity_target(coverage0, model.participation0, events0, p.identity)
    places0 = np.bincount(r.district, weights=(r.built_month == 0), minlength=nd)
    occupied0 = np.bincount(r.district, weights=r.occupied, minlength=nd)
    ds.liveability = stocks.liveability_target(
        ds.amenity,
        ds.meeting_places / (pop / 1e4),
        events0,
        ds.local_firms / (pop / 1e3),
        ds.local_benefit,
        occupied0 / np.maximum(places0, 1),
        p.liveability,
        p.identity.events_ref_per_year,
    )
    ds.log_price = np.log([d.price_eur_m2 for d in specs])
    model.log_city_price0 = float(np.average(ds.log_price, weights=pop))
    ds.reputation = initial_reputation(model, events0)
    # District fixed effects (unmodelled location and building quality) make the hedonic
    # target reproduce the scenario's prices at month 0; the model then moves prices only
    # through changes of reputation, liveability and demand.
    ds.price_fixed_effect = ds.log_price - housing.log_price_target(
        model.log_city_price0, ds.reputation, ds.liveability, np.zeros(nd), pop, p.housing
    )
    ds.creative = creative
    ds.demand_baseline = initial_demand(model, places0 - occupied0)
    # Each month of the rolling record holds the expected chance of an event until the
    # simulation overwrites it with what happened, so the 12-month count stays at the expected
    # events while the record fills (with the expected events as 0/1 in the first months of
    # the record, the months the simulation overwrites first, the count fell by up to half in
    # the first year, and identity and liveability with it).
    ds.events_hist[:] = annual_rate_to_monthly(events0)[None, :]
    ds.coverage = coverage0
    ds.attractiveness = np.ones(nd)


def initial_participation(
    model: DistrictModel,
    coverage: np.ndarray,
    reach: np.ndarray,
    events_per_year: np.ndarray,
    creative: np.ndarray,
) -> np.ndarray:
    """Return each district's participation at the mean-field fixed point of the rules (7.3).

    The initial civic state is set at the rules' own equilibrium, so that the baseline city
    does not start with a transient (issue 12): participation ``p_d`` and identity ``I_d``
    solve, for every district at once,

    - ``I_d = identity_target(coverage_d, p_d, events_d)`` (7.6);
    - ``p_d`` = the mean over the district's residents of the chance of being reached times the
      chance of taking part (7.2, 7.3), with the share of active ties at ``p_d`` (mean field)
      and an event in a month with probability ``events_d / 12`` (the event adds its reach and
      its pull toward the lead's orientation).

    ``coverage`` and ``reach`` are the districts' channel coverage and reach without an event
    (:func:`communication.district_reach`; the reach includes the background reach).

    Damped fixed-point iteration from ``PARTICIPATION_AT_START``; where the rules have two
    stable states (a quiet and a mobilised one, P5), this finds the one nearest a few percent.
    Deterministic: no random draw.
    """
    r = model.residents
    p = model.params
    c, mob = p.communication, p.mobilisation
    nd = model.n_districts
    occ = participation_sample(r.district, r.occupied, nd)
    d = r.district[occ].astype(np.intp)
    n_d = np.maximum(np.bincount(d, minlength=nd), 1)
    # The motivation without its identity term (added per iteration), minus the threshold.
    no_identity = np.zeros(occ.size, dtype=np.float32)
    base = (
        mobilisation.motivation(no_identity, r.engagement[occ], r.months_in_district[occ], mob)
        - r.theta[occ]
    ).astype(float)
    lead_orientation = np.array([x.orientation for x in model.associations])
    pull = mob.b_event * mobilisation.event_pull(r.orientation[occ], lead_orientation[d])
    event_share = np.minimum(events_per_year / 12.0, 1.0)
    event_reach = np.where(creative, c.event_reach_creative, c.event_reach_traditional)
    part = np.full(nd, PARTICIPATION_AT_START)
    for _ in range(PARTICIPATION_ITERATIONS):
        identity = stocks.identity_target(coverage, part, events_per_year, p.identity)
        ties = np.power(1.0 - c.q_tie, model.ties.k * part)
        reach_quiet = 1.0 - (1.0 - reach) * ties
        reach_event = 1.0 - (1.0 - reach_quiet) * (1.0 - event_reach)
        z = base + (mob.a_identity * identity + mob.b_social * part)[d]
        quiet_month = (1.0 - event_share[d]) * reach_quiet[d] * expit(z / mob.tau)
        event_month = event_share[d] * reach_event[d] * expit((z + pull) / mob.tau)
        chance = quiet_month + event_month
        new = np.bincount(d, weights=chance, minlength=nd) / n_d
        done = np.max(np.abs(new - part)) < PARTICIPATION_TOLERANCE
        part = 0.5 * (part + new)
        if done:
            break
    return part


PARTICIPATION_SAMPLE = 5000
"""At most this many residents per district in the initial participation's fixed point."""


def participation_sample(
    district: np.ndarray, occupied: np.ndarray, n_districts: int
) -> np.ndarray:
    """Return the occupied places the initial participation averages over.

    Every occupied place of a district with at most ``PARTICIPATION_SAMPLE`` residents; in a
    larger one every k-th (in place order, k the smallest step that keeps at most that many),
    a systematic sample without random draws (the mean's sampling error is under 1% of it).
    """
    occ = np.flatnonzero(occupied)
    d = district[occ].astype(np.intp)
    n_d = np.bincount(d, minlength=n_districts)
    if n_d.max() <= PARTICIPATION_SAMPLE:
        return occ
    order = np.argsort(d, kind="stable")
    rank = np.empty(occ.size, dtype=np.int64)
    rank[order] = np.arange(occ.size) - np.repeat(np.cumsum(n_d) - n_d, n_d)
    step = np.maximum(-(-n_d // PARTICIPATION_SAMPLE), 1)
    return occ[rank % step[d] == 0]


def initial_activity(model: DistrictModel) -> None:
    """Set the population and volunteers that the October call of month 0 reads."""
    r = model.residents
    ds = model.districts
    nd = model.n_districts
    ds.population = np.bincount(r.district, weights=r.occupied, minlength=nd) / model.scale
    is_volunteer = r.is_member * volunteer_chance(r.engagement, model.params.associations)
    ds.volunteers = np.bincount(r.district, weights=is_volunteer, minlength=nd) / model.scale


def initial_reputation(model: DistrictModel, events_per_year: np.ndarray) -> np.ndarray:
    """Return the reputation in equilibrium with the initial district state.

    The spill-over between neighbours is solved by fixed-point iteration.
    """
    ds = model.districts
    nd = model.n_districts
    stat, achievement = reputation.status_and_achievement(
        model, events_per_year, model.participation0
    )
    rep = np.full(nd, 0.5)
    for _ in range(REPUTATION_ITERATIONS):
        rep = reputation.reputation_target(
            ds.liveability,
            ds.visibility,
            achievement,
            stat,
            reputation.neighbour_mean(rep, model.adjacency),
            model.params.reputation,
        )
    return rep


def initial_demand(
    model: DistrictModel, vacancies: np.ndarray, n_sample: int = 20000
) -> np.ndarray:
    """Set the location constants and return the demand ratio expected at the start.

    The city is taken to be in equilibrium at month 0: prices then move with demand relative
    to this baseline (the zero of pressure), not with how far the logit's shares differ from
    the scenario's settlement pattern. Expected first choices are logit probabilities summed
    over a sample of residents (weighted by their probability of moving this month, ``1 -
    exp(-hazard)``, not the hazard, which a few residents with a large housing burden push
    far above 1; in-city searchers with the
    ``near`` term) and a sample of newcomers.

    With ``attractiveness.location_constants`` on, each district first gets the constant
    (``Districts.location_constant``, utility units) that makes its expected first choices equal
    its expected moves out plus its share of the city's growth (7.9): the initial settlement
    is then a flow equilibrium, as it is an equilibrium of prices (the fixed effects).
    ``Districts.first_choices`` and ``vacancy_supply`` start at these expected values.
    """
    r = model.residents
    ds = model.districts
    p = model.params
    pop = p.population
    rng = model.streams.get("init.demand")
    occupied = np.flatnonzero(r.occupied)
    sample = rng.choice(occupied, size=min(n_sample, occupied.size), replace=False)
    p_move_all = -np.expm1(-initial_hazard(model))
    p_move = p_move_all[sample]
    leave = p.migration.share_leaving_city
    # What choosers see: the empty places plus those that residents leaving the city vacate
    # this month (movers within the city free their places only after everyone has chosen).
    vacancies = vacancies + leave * np.bincount(
        r.district, weights=p_move_all, minlength=model.n_districts
    )
    new_income = draw_incomes(rng, pop.newcomer_income_median_eur, pop.income_sigma, sample.size)
    new_orient = draw_orientation(
        rng, pop.newcomer_orientation_mean, pop.orientation_concentration, sample.size
    )
    new_engagement = rng.beta(pop.engagement_a, pop.engagement_b, sample.size)
    size = np.log(np.maximum(vacancies, 0.5))
    args = (ds.reputation, ds.liveability, ds.log_price, ds.creative.astype(float))
    cost = model.rates.cost_per_eur_m2
    mean_e = engagement_mean(p)
    log_search_income = np.log(r.income_eur[sample].astype(float))
    v_search = reputation.utility(
        *args,
        log_search_income,
        r.orientation[sample].astype(float),
        p.attractiveness,
        cost,
        r.engagement[sample] / mean_e,
    )
    v_search += p.attractiveness.b_near * model.near[r.district[sample]] + size
    log_new_income = np.log(new_income.astype(float))
    v_new = (
        reputation.utility(
            *args,
            log_new_income,
            new_orient.astype(float),
            p.attractiveness,
            cost,
            new_engagement / mean_e,
        )
        + size
    )
    # The same location choice as in the simulation (7.9): with income homophily.
    b_h = p.attractiveness.b_income_homophily
    if b_h != 0:
        v_search += income_homophily(ds.mean_income, log_search_income, b_h)
        v_new += income_homophily(ds.mean_income, log_new_income, b_h)
    weight_search = p_move * (1 - leave)
    weight_new = p_move.sum() * leave + model.rates.growth * sample.size
    # exp(v + c) = exp(v) * exp(c): the utilities' exponentials are taken once, and each
    # evaluation of the expected first choices is two pairs of weighted sums. They are numpy
    # reductions, not matrix products: a product goes to the BLAS library, whose sums depend on
    # its thread count, and the same seed must give the same bytes on any machine set-up.
    e_search = np.exp(v_search - v_search.max(axis=1, keepdims=True))
    e_new = np.exp(v_new - v_new.max(axis=1, keepdims=True))
    w_new = np.full(sample.size, weight_new / sample.size)

    def expected(constant: np.ndarray) -> np.ndarray:
        scale = np.exp(constant - constant.max())
        return scale * (
            choice_sums(e_search, scale, weight_search) + choice_sums(e_new, scale, w_new)
        )

    nd = model.n_districts
    ds.location_constant = np.zeros(nd)
    if p.attractiveness.location_constants:
        d = r.district[occupied]
        target = np.bincount(d, weights=p_move_all[occupied], minlength=nd)
        target += model.rates.growth * np.bincount(d, minlength=nd)
        target *= (weight_search.sum() + weight_new) / target.sum()
        ds.location_constant = location_constants(expected, target)
    first = expected(ds.location_constant)
    # The smoothed first choices and vacancies that migration relaxes each month start at their
    # expected values (per simulated month, for the whole population), so month 0's pressure is
    # the expected zero. Started at zero, the first month's relaxation took one month's noisy
    # counts as the whole smoothed record (two_districts: month-0 pressure SD 0.19 across seeds,
    # now 0.016; tests/test_initialisation.py), and the creative twin's price gap built up
    # within a year (P1).
    ds.first_choices = first * (occupied.size / max(sample.size, 1))
    ds.vacancy_supply = vacancies.astype(float)
    return housing.demand_ratio(first, ds.vacancy_supply)


def choice_sums(e: np.ndarray, scale: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Return ``(weight / (e @ scale)) @ e`` as numpy reductions (thread-count independent).

    ``e`` is (choosers, districts): each chooser's exponentiated utilities; the result is the
    weighted sum over choosers of their (unnormalised) logit choice probabilities.
    """
    denominator = (e * scale).sum(axis=1)
    return ((weight / denominator)[:, None] * e).sum(axis=0)


LOCATION_ITERATIONS = 200
"""At most this many steps of the contraction for the location constants."""

LOCATION_TOLERANCE = 1e-9
"""The contraction stops when no constant moves by more than this (utility units)."""


def location_constants(expected, target: np.ndarray) -> np.ndarray:
    """Return constants ``c`` with ``expected(c) = target`` (Berry's contraction).

    ``c <- c + ln(target / expected(c))``, normalised to mean 0; the logit shares are
    invariant to a common shift. Districts with no target (no residents) keep 0.
    """
    c = np.zeros(target.size)
    has = target > 0
    for _ in range(LOCATION_ITERATIONS):
        step = np.zeros_like(c)
        step[has] = np.log(target[has] / np.maximum(expected(c)[has], 1e-300))
        c += step
        c[has] -= c[has].mean()
        if np.max(np.abs(step)) < LOCATION_TOLERANCE:
            break
    return c


def initial_hazard(model: DistrictModel) -> np.ndarray:
    """Return each place's monthly move hazard at month 0 (7.9; 0 for empty places).

    The same terms as the simulation's hazard: tenure, attachment, identity, liveability and
    housing burden at the initial prices (no intervention acts before month 0).
    """
    r = model.residents
    ds = model.districts
    p = model.params
    price = model.blocks.spread(np.exp(ds.log_price).astype(np.float32))
    excess = migration.burden_excess(model, price)
    pop = np.maximum(np.bincount(r.district, weights=r.occupied, minlength=model.n_districts), 1)
    mean_l = np.average(ds.liveability, weights=pop)
    attach = np.minimum(r.months_in_district / p.mobilisation.attachment_months, 1.0)
    d = r.district
    *_, total = migration.hazard_terms(
        model.rates.h0[r.tenure],
        attach,
        ds.identity[d],
        (mean_l - ds.liveability)[d],
        excess,
        migration.hazard_alphas(p.migration),
    )
    return np.where(r.occupied, total, 0.0).astype(float)
