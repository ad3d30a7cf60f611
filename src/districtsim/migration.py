"""Migration: move-out hazard, its causes, and location choice within vacancies (MODEL 5.8).

Each resident moves out with monthly hazard
``h = h0_tenure * exp(-alpha_t (attachment - 1/2) - alpha_I (identity_d - 1/2)
+ alpha_L (mean L - L_d) + alpha_B max(0, burden - cap))``
(the covariates are centred so that ``h0_tenure``, converted once from the
annual rate, is the hazard of a typical resident). A move is attributed to a
cause in proportion to the hazard each term adds: baseline (life events),
dissatisfaction with liveability, and housing burden (displacement).
Movers leave the city with probability ``share_leaving_city`` or choose a
district by multinomial logit (size term: log vacancies) in rounds: a
district with more choosers than vacancies accepts a random subset and the
others choose again among districts with room left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim import kernels
from districtsim.districts import MOVE_FLOWS
from districtsim.housing import (
    burden_given_tenure_terms,
    demand_ratio,
    pass_through,
    rent_discount,
)
from districtsim.reputation import utility
from districtsim.residents import (
    OWNER,
    PRIVATE,
    TENURES,
    draw_engagement,
    draw_incomes,
    draw_orientation,
    draw_theta,
    engagement_mean,
    with_owner_bonus,
)
from districtsim.stocks import relax

if TYPE_CHECKING:
    from districtsim.model import DistrictModel
    from districtsim.params import Housing as HousingParams
    from districtsim.params import Migration as MigrationParams

CAUSES: tuple[str, ...] = ("other", "liveability", "burden")
BURDEN = CAUSES.index("burden")


def hazard_terms(
    h0: np.ndarray,
    attachment: np.ndarray,
    identity: np.ndarray,
    liveability_gap: np.ndarray,
    burden_excess: np.ndarray,
    alpha: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (baseline, with liveability, with burden) hazards; the last is the total.

    Args:
        h0: Monthly base hazard by the resident's tenure.
        attachment: min(months / T_att, 1).
        identity: The district's identity, per resident.
        liveability_gap: mean L - L_d, per resident.
        burden_excess: max(0, burden - cap), per resident.
        alpha: (alpha_attachment, alpha_identity, alpha_liveability, alpha_burden).
    """
    a_t, a_i, a_l, a_b = alpha
    base = h0 * np.exp(-a_t * (attachment - 0.5) - a_i * (identity - 0.5))
    with_l = base * np.exp(a_l * liveability_gap)
    total = with_l * np.exp(a_b * burden_excess)
    return base, with_l, total


def hazard_bound(
    h0: np.ndarray,
    identity: np.ndarray,
    liveability_gap: np.ndarray,
    alpha: tuple[float, float, float, float],
) -> np.ndarray:
    """Return an upper bound of the hazard of residents without burden excess.

    There is one bound per (tenure, district).

    The bound is :func:`hazard_terms`' ``with_l`` at the attachment in [0, 1]
    that gives the highest hazard, times 1 + 1e-5 against rounding, so every
    resident's ``total <= bound * exp(alpha_B * burden_excess)``. As the
    monthly move probability ``1 - exp(-total)`` is at most ``total``, a
    resident without burden excess whose uniform draw is at least the bound
    cannot move: the model evaluates the full hazard for the others only,
    and the movers are exactly those of the full evaluation.

    Args:
        h0: Monthly base hazard of each tenure, shape (tenures,).
        identity: Identity of each district, shape (districts,).
        liveability_gap: mean L - L_d of each district, shape (districts,).
        alpha: (alpha_attachment, alpha_identity, alpha_liveability, alpha_burden).
    """
    h0 = np.asarray(h0)
    worst = np.zeros(1, dtype=h0.dtype) if alpha[0] >= 0 else np.ones(1, dtype=h0.dtype)
    _, with_l, _ = hazard_terms(
        h0[:, None],
        worst[:, None],
        np.asarray(identity)[None, :],
        np.asarray(liveability_gap)[None, :],
        np.zeros(1, dtype=h0.dtype)[:, None],
        alpha,
    )
    return with_l * (1.0 + 1e-5)


def attribute_causes(
    base: np.ndarray, with_l: np.ndarray, total: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Return the cause index (see CAUSES) of each move.

    The cause is drawn in proportion to each term's added hazard.
    """
    c_base = np.minimum(base, with_l)
    c_live = np.maximum(with_l - base, 0.0)
    c_burden = total - with_l
    norm = c_base + c_live + c_burden
    x = u * norm
    return np.where(x < c_base, 0, np.where(x < c_base + c_live, 1, 2)).astype(np.int8)


def _gumbel(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Draw standard Gumbel noise ``-log(-log(U))`` in float32.

    This is about five times as fast as ``rng.gumbel``.

    U = 0 (probability 2**-24) gives -inf: that alternative is never chosen.
    The float32 grid truncates the noise to about [-2.8, 16.6], which
    removes a probability of about 1e-7.
    """
    g = kernels.uniforms(rng, shape[0] * shape[1]).reshape(shape)
    kernels.in_row_slices(lambda lo, hi: _gumbel_of(g[lo:hi]), shape[0], shape[1])
    return g


def _gumbel_of(g: np.ndarray) -> None:
    """Turn uniforms ``g`` into Gumbel noise in place: ``-log(-log(g))``."""
    with np.errstate(divide="ignore"):
        np.log(g, out=g)
        np.negative(g, out=g)
        np.log(g, out=g)
    np.negative(g, out=g)


def _best_with_noise(u: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Add ``noise`` to the utilities ``u`` (in place); return each row's best column."""
    best = np.empty(u.shape[0], dtype=np.intp)

    def rows(lo: int, hi: int) -> None:
        u[lo:hi] += noise[lo:hi]
        best[lo:hi] = np.argmax(u[lo:hi], axis=1)

    kernels.in_row_slices(rows, *u.shape)
    return best


def _by_choice_then_key(choice: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Return ``np.lexsort((key, choice))``: the order by choice, then by the uniform ``key``.

    A uniform float64 of numpy is a 53-bit integer times 2**-53, so (choice, key) packs
    exactly into one int64 and one (fast, unstable) integer sort gives lexsort's order while
    no two packed values are equal; if some are, a stable sort keeps lexsort's tie order.
    """
    if choice.size and choice.max() >= 1 << 10:  # more than 1,024 districts: no room
        return np.lexsort((key, choice))
    packed = (choice.astype(np.int64) << 53) | (key * 2.0**53).astype(np.int64)
    order = np.argsort(packed)
    if (np.diff(packed[order]) == 0).any():
        order = np.argsort(packed, kind="stable")
    return order


def allocate(
    v: np.ndarray, vacancies: np.ndarray, rng: np.random.Generator, rounds: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Allocate choosers to districts by logit within vacancies.

    Args:
        v: Systematic utilities (choosers, districts), without the size term.
        vacancies: Vacant places per district.
        rng: Random stream for Gumbel noise and tie-breaking.
        rounds: Choice rounds before unplaced choosers give up.

    Returns:
        (district chosen or -1 if unplaced, first-choice count per district).
    """
    n, d = v.shape
    left = vacancies.astype(np.int64).copy()
    result = np.full(n, -1, dtype=np.int64)
    first = np.zeros(d, dtype=np.int64)
    todo = np.arange(n)
    for r in range(rounds):
        if todo.size == 0 or left.sum() == 0:
            break
        with np.errstate(divide="ignore"):
            size = np.log(left.astype(float))
        u = (v if todo.size == n else v[todo]) + size[None, :]
        choice = _best_with_noise(u, _gumbel(rng, (todo.size, d)))
        if r == 0:
            first = np.bincount(choice, minlength=d)
        key = rng.random(todo.size)
        order = _by_choice_then_key(choice, key)
        sorted_choice = choice[order]
        starts = np.searchsorted(sorted_choice, np.arange(d))
        rank = np.arange(todo.size) - starts[sorted_choice]
        ok = rank < left[sorted_choice]
        placed = todo[order[ok]]
        result[placed] = sorted_choice[ok]
        left -= np.bincount(sorted_choice[ok], minlength=d)
        todo = np.sort(todo[order[~ok]])
    return result, first


class MoveCounts:
    """This month's moves per district, counted in simulated persons as the sub-steps go.

    ``out_<cause>`` counts moves out by cause, ``out_<tenure>`` and ``out_burden_<tenure>`` by
    the mover's tenure; ``in_outside`` / ``out_outside`` are moves from / to outside the city
    (also counted in ``in`` / ``out``); ``within`` are moves inside a district.
    """

    def __init__(self, n_districts: int) -> None:
        self.nd = n_districts
        self.n = {k: np.zeros(n_districts, dtype=np.int64) for k in MOVE_FLOWS}
        self.displaced = 0

    def add(self, key: str, district: np.ndarray) -> None:
        """Count one move of ``key`` in each entry of ``district``."""
        self.n[key] += np.bincount(district, minlength=self.nd)

    def add_out(self, model: DistrictModel, gone: np.ndarray, cause: np.ndarray) -> None:
        """Count the moves out of places ``gone`` by cause and by tenure (burden moves too)."""
        r = model.residents
        district = r.district[gone]
        for ci, name in enumerate(CAUSES):
            self.add(f"out_{name}", district[cause[gone] == ci])
        burden = cause[gone] == BURDEN
        self.displaced += int(burden.sum())
        for ti, tenure in enumerate(TENURES):
            is_tenure = r.tenure[gone] == ti
            self.add(f"out_{tenure}", district[is_tenure])
            self.add(f"out_burden_{tenure}", district[is_tenure & burden])

    def persons(self, scale: float) -> dict[str, np.ndarray]:
        """Return the counts in real persons (simulated / scale)."""
        return {k: v / scale for k, v in self.n.items()}


def step(model: DistrictModel, t: int) -> None:
    """Phase 10a: residents move out, leave the city or choose a district; newcomers arrive.

    Sub-steps: incomes and attachment grow; move hazards and their causes; leavers; newcomers
    drawn; location choice (and demand pressure); placement of movers; placement of newcomers.

    Reads: ``Districts.log_price`` (new), ``identity``, ``liveability``, ``population``,
    ``reputation``, ``creative``; residents' tenure, income, attachment, burden; the rent cap.
    Writes: ``Residents`` (every per-occupant array of the places left and filled),
    ``Districts.moves``, ``first_choices``, ``vacancy_supply``, ``pressure``; ties of arrivals;
    ``model.income_index``, ``model.displaced_persons``.
    """
    r = model.residents
    ds = model.districts
    mig = model.params.migration
    rng = model.streams.get("migration", t)
    price = np.exp(ds.log_price).astype(np.float32)
    moving, cause = movers_and_causes(model, price, rng)
    model.income_index = float(model.rates.income_growth) ** (t + 1)
    leave_city = rng.random(moving.size, dtype=np.float32) < mig.share_leaving_city
    leavers = moving[leave_city]
    searchers = moving[~leave_city]
    counts = MoveCounts(model.n_districts)
    counts.add("out_outside", r.district[leavers])
    counts.add_out(model, leavers, cause)
    r.reset_occupants(leavers)
    new_income, new_orient, new_engagement = draw_newcomers(model, leavers.size, rng)
    vacant = np.flatnonzero(~r.occupied & (r.built_month <= t))
    dest = choose_districts(model, searchers, new_income, new_orient, new_engagement, vacant, rng)
    slots, order = vacancies_taken(model, dest, vacant, rng)
    is_mover = order < searchers.size
    place_movers(model, searchers[order[is_mover]], slots[is_mover], cause, counts)
    k = order[~is_mover] - searchers.size
    new_s = slots[~is_mover]
    place_newcomers(model, new_s, new_income[k], new_orient[k], new_engagement[k], rng)
    counts.add("in", r.district[new_s])
    counts.add("in_outside", r.district[new_s])
    counts.n["out"] += counts.n["out_outside"]
    arrivals = np.concatenate([slots[is_mover], new_s])
    r.price_ref_eur_m2[arrivals] = price[r.district[arrivals]]
    r.is_active[arrivals] = False
    r.was_active[arrivals] = False
    model.ties.rewire(arrivals, rng)
    ds.moves = counts.persons(model.scale)
    model.displaced_persons = counts.displaced / model.scale


def grow_incomes_and_attachment(model: DistrictModel) -> None:
    """Incomes grow with the wage trend (nominal EUR, like prices); residents stay a month more.

    The numpy form of the rule; the month runs it inside :func:`move_candidates` (the kernel's
    first step, tested identical).
    """
    r = model.residents
    r.income_eur *= model.rates.income_growth
    r.months_in_district += r.occupied


def housing_cost_price(
    model: DistrictModel, price: np.ndarray, months_ahead: int = 0
) -> np.ndarray:
    """Return the price each place's housing cost follows (float32).

    That is the district's price, capped for private renters where a rent cap is in force.
    ``months_ahead``: months added to each occupant's stay for the capped rise (1 when the
    stays have not grown yet this month).
    """
    r = model.residents
    price_now = model.blocks.spread(price)
    cap = model.interventions.rent_rise_cap_per_year()
    if cap is not None:
        # A cap on rent rises: a private renter's cost follows the price only up to the capped
        # rise since moving in.
        capped = np.flatnonzero(r.occupied & (r.tenure == PRIVATE) & np.isfinite(cap)[r.district])
        ceiling = r.price_ref_eur_m2[capped] * np.exp(
            np.log1p(cap[r.district[capped]]) * (r.months_in_district[capped] + months_ahead) / 12.0
        )
        price_now[capped] = np.minimum(price_now[capped], ceiling.astype(np.float32))
    return price_now


def hazard_alphas(mig: MigrationParams) -> tuple[float, float, float, float]:
    """Return (alpha_attachment, alpha_identity, alpha_liveability, alpha_burden)."""
    return mig.alpha_attachment, mig.alpha_identity, mig.alpha_liveability, mig.alpha_burden


def tenure_tables(h: HousingParams) -> tuple[np.ndarray, np.ndarray]:
    """Return the pass-through share and the rent discount of each tenure (float32 tables).

    Indexed by tenure, they give :func:`~districtsim.housing.pass_through` and
    :func:`~districtsim.housing.rent_discount` of each place.
    """
    tenures = np.arange(len(TENURES))
    return pass_through(tenures, h), rent_discount(tenures, h)


def burden_excess(model: DistrictModel, cost_price: np.ndarray) -> np.ndarray:
    """Return each place's housing burden above ``burden_cap`` (float32, 0 if below).

    ``cost_price``: the price per place that its housing cost follows (7.8).
    """
    r = model.residents
    p = model.params
    terms = (table[r.tenure] for table in tenure_tables(p.housing))
    excess = burden_given_tenure_terms(
        cost_price, r.price_ref_eur_m2, *terms, r.income_eur, p.housing
    )
    excess -= np.float32(p.migration.burden_cap)
    np.maximum(excess, np.float32(0.0), out=excess)
    return excess


def movers_and_causes(
    model: DistrictModel, price: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Grow incomes and stays; return the movers of this month and each place's move cause.

    The cause is -1 for places whose occupant does not move. Incomes and stays grow first
    (:func:`grow_incomes_and_attachment`). The hazard is evaluated exactly for candidates
    only: ``P(move) = 1 - exp(-h) <= h <= bound * exp(alpha_B * excess)``
    (:func:`move_candidates`).
    """
    r = model.residents
    ds = model.districts
    p = model.params
    mig = p.migration
    alpha = hazard_alphas(mig)
    identity = ds.identity.astype(np.float32)
    mean_l = np.average(ds.liveability, weights=np.maximum(ds.population, 1))
    l_gap = (mean_l - ds.liveability).astype(np.float32)
    u = kernels.uniforms(rng, r.n)  # rng.random(r.n, dtype=np.float32), in parallel
    bound_table = hazard_bound(model.rates.h0, identity, l_gap, alpha)
    cand, excess_c = move_candidates(model, price, u, bound_table)
    d_c = r.district[cand].astype(np.intp)
    attach = np.minimum(
        r.months_in_district[cand].astype(np.float32)
        / np.float32(p.mobilisation.attachment_months),
        np.float32(1.0),
    )
    base, with_l, total = hazard_terms(
        model.rates.h0[r.tenure[cand]], attach, identity[d_c], l_gap[d_c], excess_c, alpha
    )
    u_c = u[cand]
    below = np.flatnonzero(u_c < total)  # again 1 - exp(-h) <= h: expm1 only where it can matter
    is_moving = below[u_c[below] < -np.expm1(-total[below])]
    moving = cand[is_moving]
    cause = np.full(r.n, -1, dtype=np.int8)
    cause[moving] = attribute_causes(
        base[is_moving], with_l[is_moving], total[is_moving], rng.random(moving.size)
    )
    return moving, cause


def move_candidates(
    model: DistrictModel, price: np.ndarray, u: np.ndarray, bound: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Grow incomes and stays; return the candidate movers and their burden excess.

    One pass over the places (:func:`districtsim.kernels.move_candidates`) does what
    :func:`grow_incomes_and_attachment`, :func:`burden_excess` and the bound test do: a
    resident is a candidate when ``u`` is below ``bound`` (tenure x district) times the
    burden's factor on the hazard. Under a rent cap each place's cost price
    (:func:`housing_cost_price`, with this month's stays) is handed in.
    """
    r = model.residents
    p = model.params
    place_price = np.zeros(0, dtype=np.float32)
    if model.interventions.rent_rise_cap_per_year() is not None:
        place_price = housing_cost_price(model, price, months_ahead=1)
    return kernels.move_candidates(
        r.occupied,
        r.district,
        r.tenure,
        r.income_eur,
        r.months_in_district,
        r.price_ref_eur_m2,
        *tenure_tables(p.housing),
        price,
        place_price,
        bound,
        u,
        model.rates.income_growth,
        np.float32(model.rates.cost_per_eur_m2),
        np.float32(p.migration.burden_cap),
        float(p.migration.alpha_burden),
    )


def draw_newcomers(
    model: DistrictModel, n_leavers: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the incomes, orientations and engagement of this month's newcomers.

    Engagement is the Beta draw before the owner bonus of the place they take. Newcomers
    replace those who left the city, plus the city's growth (MODEL 5.12).
    """
    pop = model.params.population
    growth = model.rates.growth * model.residents.occupied.sum()
    if growth >= 0:
        n_new = int(n_leavers + rng.poisson(growth))
    else:
        n_new = int(rng.binomial(n_leavers, max(0.0, 1.0 + growth / max(n_leavers, 1))))
    median = pop.newcomer_income_median_eur * model.income_index
    new_income = draw_incomes(rng, median, pop.income_sigma, n_new)
    new_orient = draw_orientation(
        rng, pop.newcomer_orientation_mean, pop.orientation_concentration, n_new
    )
    new_engagement = rng.beta(pop.engagement_a, pop.engagement_b, n_new)
    return new_income, new_orient, new_engagement


def choose_districts(
    model: DistrictModel,
    searchers: np.ndarray,
    new_income: np.ndarray,
    new_orient: np.ndarray,
    new_engagement: np.ndarray,
    vacant: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return the district each searcher, then each newcomer, gets (-1: none); update pressure.

    Demand pressure is the smoothed first choices over the smoothed vacancies, relative to the
    start and to the city mean (MODEL 5.8).
    """
    r = model.residents
    ds = model.districts
    p = model.params
    nd = model.n_districts
    log_income = np.log(np.concatenate([r.income_eur[searchers], new_income]).astype(float))
    orient = np.concatenate([r.orientation[searchers], new_orient]).astype(float)
    engagement = np.concatenate([r.engagement[searchers], new_engagement]) / engagement_mean(p)
    creative = ds.creative.astype(float)
    a = p.attractiveness
    near = model.near[r.district[searchers]]  # movers inside the city: nearby districts
    v = np.empty((log_income.size, nd))

    def rows(lo: int, hi: int) -> None:  # each chooser's utilities depend on that chooser only
        vr = utility(
            ds.reputation,
            ds.liveability,
            ds.log_price,
            creative,
            log_income[lo:hi],
            orient[lo:hi],
            a,
            model.rates.cost_per_eur_m2,
            engagement[lo:hi],
            out=v[lo:hi],
        )
        vr += ds.location_constant[None, :]
        movers = max(0, min(hi, searchers.size) - lo)  # the first rows are movers in the city
        vr[:movers] += a.b_near * near[lo : lo + movers]
        if a.b_income_homophily != 0:
            vr += income_homophily(ds.mean_income, log_income[lo:hi], a.b_income_homophily)

    kernels.in_row_slices(rows, log_income.size, nd)
    vacancies = np.bincount(r.district[vacant], minlength=nd)
    dest, first = allocate(v, vacancies, rng)
    update_pressure(model, first, vacancies)
    return dest


def update_pressure(model: DistrictModel, first: np.ndarray, vacancies: np.ndarray) -> None:
    """Update demand pressure from this month's first choices and vacancies per district.

    Pressure is the smoothed first choices over the smoothed vacancies, relative to the start
    and to the city mean (MODEL 5.8). Writes ``Districts.first_choices``, ``vacancy_supply``,
    ``pressure``.
    """
    ds = model.districts
    # Smooth the counts, then take the ratio: the log of monthly small counts is biased at
    # small scale.
    eta = model.rates.eta_pressure
    ds.first_choices = relax(ds.first_choices, first, eta)
    ds.vacancy_supply = relax(ds.vacancy_supply, vacancies.astype(float), eta)
    pressure = demand_ratio(ds.first_choices, ds.vacancy_supply) - ds.demand_baseline
    # Relative demand only: the city-wide level follows the city trend.
    ds.pressure = pressure - np.average(pressure, weights=np.maximum(ds.population, 1))


def income_homophily(mean_income: np.ndarray, log_income: np.ndarray, b: float) -> np.ndarray:
    """Return ``b (ln y_j - ln y_city)(ln y_d - ln y_city)`` (movers x districts).

    Movers richer than the city's mean like richer districts, poorer movers poorer ones; the
    city mean is the districts' unweighted mean of log mean income.
    """
    log_district = np.log(np.maximum(mean_income, 1.0))
    centre = log_district.mean()
    return b * (log_income[:, None] - centre) * (log_district[None, :] - centre)


def vacancies_taken(
    model: DistrictModel, dest: np.ndarray, vacant: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return the place each placed chooser takes and the choosers' order (by district).

    A chooser takes a random vacant place of the chosen district.
    """
    r = model.residents
    placed = np.flatnonzero(dest >= 0)
    # A random order of each district's vacancies (vacant is sorted by place, so grouped by
    # district).
    key = rng.random(vacant.size)
    district = r.district[vacant]
    vstart = np.searchsorted(district, np.arange(model.n_districts + 1))
    vac_sorted = vacant[_by_choice_then_key(district, key)]
    order = placed[np.argsort(dest[placed].astype(np.int16), kind="stable")]
    dsorted = dest[order]
    rank = np.arange(order.size) - np.searchsorted(dsorted, dsorted)
    return vac_sorted[vstart[dsorted] + rank], order


def place_movers(
    model: DistrictModel,
    old: np.ndarray,
    new: np.ndarray,
    cause: np.ndarray,
    counts: MoveCounts,
) -> None:
    """Move the occupants of places ``old`` into places ``new``; count the moves."""
    r = model.residents
    same = r.district[old] == r.district[new]
    for arr in (r.income_eur, r.orientation, r.theta, r.is_competent):
        arr[new] = arr[old]
    r.engagement[new] = retenure_engagement(model, r.engagement[old], r.tenure[old], r.tenure[new])
    r.months_in_district[new] = np.where(same, r.months_in_district[old], 0)
    # A move inside the district keeps the membership if the new place's tenure may join
    # (housing companies: not private renters).
    slot = np.maximum(r.member_of[old], 0)
    may_join = model.slots.eligible[r.district[new], slot, r.tenure[new]]
    keep = same & (r.member_of[old] >= 0) & may_join
    r.member_of[new] = np.where(keep, r.member_of[old], -1)
    r.occupied[new] = True
    moved_out = old[~same]
    counts.add("within", r.district[old[same]])
    counts.add("in", r.district[new[~same]])
    counts.add_out(model, moved_out, cause)
    counts.add("out", r.district[moved_out])
    r.reset_occupants(old)


def retenure_engagement(
    model: DistrictModel, engagement: np.ndarray, old: np.ndarray, new: np.ndarray
) -> np.ndarray:
    """Return movers' engagement with the owner bonus of the tenure they move into.

    Their base (engagement without the bonus of the tenure they leave) with the bonus of the new
    place's tenure, as a newcomer gets it (:func:`~districtsim.residents.with_owner_bonus`).
    """
    base = engagement - model.params.population.owner_engagement_bonus * (old == OWNER)
    return with_owner_bonus(base, new, model.params)


def place_newcomers(
    model: DistrictModel,
    places: np.ndarray,
    income: np.ndarray,
    orientation: np.ndarray,
    engagement: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Newcomers from outside the city move into ``places`` (their other traits drawn)."""
    r = model.residents
    p = model.params
    r.income_eur[places] = income
    r.orientation[places] = orientation
    r.engagement[places] = draw_engagement(rng, p, r.tenure[places], engagement)
    r.theta[places] = draw_theta(rng, p, places.size)
    r.is_competent[places] = rng.random(places.size) < p.population.p_competent
    r.months_in_district[places] = 0
    r.member_of[places] = -1
    r.occupied[places] = True
