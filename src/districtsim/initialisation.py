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

from districtsim import communication, housing, reputation, stocks
from districtsim.districts import Districts
from districtsim.errors import ScenarioError
from districtsim.interventions import InterventionRunner, housing_places
from districtsim.network import Ties
from districtsim.orgs.associations import create_associations, expected_events_per_year
from districtsim.orgs.firms import create_local_firms
from districtsim.partnerships import create_outside_actors
from districtsim.program import ProgramYear
from districtsim.rates import annual_rate_to_monthly
from districtsim.residents import Blocks, draw_incomes, draw_orientation, init_residents

if TYPE_CHECKING:
    from districtsim.model import DistrictModel

PARTICIPATION_AT_START = 0.04
"""Participation assumed for the initial identity and achievements (share of residents)."""

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

    Also sets the per-place index tables the monthly phases use (reach table, tenure x
    district, tenure terms of the housing burden).

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
    model.reach_buffer = np.empty_like(model.reach_index)
    # Place index into a (tenure, district) table: both are fixed per place.
    model.tenure_district = r.tenure.astype(np.intp) * nd + r.district
    model.tenure_terms = (
        housing.pass_through(r.tenure, p.housing),
        housing.rent_discount(r.tenure, p.housing),
    )


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
    coverage0, _, ds.visibility = communication.district_reach(
        channels, p.communication, np.zeros(nd, bool), creative
    )
    participation0 = np.full(nd, PARTICIPATION_AT_START)
    ds.identity = stocks.identity_target(coverage0, participation0, events0, p.identity)
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
    months = np.linspace(0, 1, 12, endpoint=False)
    per_month = annual_rate_to_monthly(events0)
    ds.events_hist[:] = (per_month[None, :] > months[:, None]).astype(np.int64)
    ds.coverage = coverage0
    ds.attractiveness = np.ones(nd)


def initial_activity(model: DistrictModel) -> None:
    """Set the population and volunteers that the October call of month 0 reads."""
    r = model.residents
    ds = model.districts
    nd = model.n_districts
    cut = model.params.associations.volunteer_engagement_cut
    ds.population = np.bincount(r.district, weights=r.occupied, minlength=nd) / model.scale
    is_volunteer = r.is_member & (r.engagement >= cut)
    ds.volunteers = np.bincount(r.district, weights=is_volunteer, minlength=nd) / model.scale


def initial_reputation(model: DistrictModel, events_per_year: np.ndarray) -> np.ndarray:
    """Return the reputation in equilibrium with the initial district state.

    The spill-over between neighbours is solved by fixed-point iteration.
    """
    ds = model.districts
    nd = model.n_districts
    participation0 = np.full(nd, PARTICIPATION_AT_START)
    stat, achievement = reputation.status_and_achievement(model, events_per_year, participation0)
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
    """Return the demand ratio expected at the start (the logit's own equilibrium).

    The city is taken to be in equilibrium at month 0: prices then move with demand relative
    to this baseline (the zero of pressure), not with how far the logit's shares differ from
    the scenario's settlement pattern. Expected first choices are logit probabilities summed
    over a sample of residents (weighted by their base move hazard; in-city searchers with the
    ``near`` term) and a sample of newcomers.
    """
    r = model.residents
    ds = model.districts
    p = model.params
    pop = p.population
    rng = model.streams.get("init.demand")
    occupied = np.flatnonzero(r.occupied)
    sample = rng.choice(occupied, size=min(n_sample, occupied.size), replace=False)
    hazard = model.rates.h0[r.tenure[sample]].astype(float)
    leave = p.migration.share_leaving_city
    new_income = draw_incomes(rng, pop.newcomer_income_median_eur, pop.income_sigma, sample.size)
    new_orient = draw_orientation(
        rng, pop.newcomer_orientation_mean, pop.orientation_concentration, sample.size
    )
    size = np.log(np.maximum(vacancies, 0.5))
    args = (ds.reputation, ds.liveability, ds.log_price, ds.creative.astype(float))
    cost = model.rates.cost_per_eur_m2
    v_search = reputation.utility(
        *args,
        np.log(r.income_eur[sample].astype(float)),
        r.orientation[sample].astype(float),
        p.attractiveness,
        cost,
    )
    v_search += p.attractiveness.b_near * model.near[r.district[sample]] + size
    log_new_income = np.log(new_income.astype(float))
    v_new = (
        reputation.utility(*args, log_new_income, new_orient.astype(float), p.attractiveness, cost)
        + size
    )
    weight_new = hazard.sum() * leave + model.rates.growth * sample.size
    expected = (hazard * (1 - leave)) @ reputation.logit_shares(
        v_search
    ) + weight_new * reputation.logit_shares(v_new).mean(axis=0)
    return housing.demand_ratio(expected, vacancies.astype(float))
