"""Housing market: hedonic price target and housing burden (MODEL 5.8) [S4].

``log P*_d = log P_city(t) + beta_R (R_d - mean R) + beta_L (L_d - mean L) + beta_D * pressure_d``
where ``P_city(t)`` follows the city trend and ``pressure`` is the smoothed
relative excess demand: the log of the district's share of movers' first
choices over its share of the city's vacancies (0 when demand matches supply;
city-wide demand is in the city trend, not here). The log price relaxes toward
the target with time constant ``price_time_constant_months``. Housing cost per
person is
``m2 * rent_yield * (P_ref + pass_through * (P_d - P_ref))`` (social rents at
``social_rent_discount``), where ``P_ref`` is the price when the occupant
moved in: owners and social renters feel price rises less than private
renters. Burden is cost over income.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim.params import Housing
from districtsim.residents import OWNER, PRIVATE, SOCIAL
from districtsim.stocks import relax

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def log_price_target(
    log_city_price: float,
    reputation: np.ndarray,
    liveability: np.ndarray,
    pressure: np.ndarray,
    weights: np.ndarray,
    h: Housing,
) -> np.ndarray:
    """Return the hedonic log-price target of each district (means weighted by population)."""
    r_bar = np.average(reputation, weights=weights)
    l_bar = np.average(liveability, weights=weights)
    return (
        log_city_price
        + h.beta_reputation * (reputation - r_bar)
        + h.beta_liveability * (liveability - l_bar)
        + h.beta_demand * pressure
    )


def pass_through(tenure: np.ndarray, h: Housing) -> np.ndarray:
    """Return the share of price changes since move-in that each resident's cost follows."""
    table = np.empty(3, dtype=np.float32)
    table[OWNER], table[PRIVATE], table[SOCIAL] = (
        h.pass_through_owner,
        h.pass_through_private,
        h.pass_through_social,
    )
    return table[tenure]


def rent_discount(tenure: np.ndarray, h: Housing) -> np.ndarray:
    """Return the factor on each resident's market housing cost.

    It is ``social_rent_discount`` for social renters, else 1.
    """
    return np.where(tenure == SOCIAL, np.float32(h.social_rent_discount), np.float32(1.0))


def housing_burden(
    price_now: np.ndarray, price_ref: np.ndarray, tenure: np.ndarray, income: np.ndarray, h: Housing
) -> np.ndarray:
    """Return annual housing cost over annual income for each resident."""
    return burden_given_tenure_terms(
        price_now, price_ref, pass_through(tenure, h), rent_discount(tenure, h), income, h
    )


def burden_given_tenure_terms(
    price_now: np.ndarray,
    price_ref: np.ndarray,
    pass_through_share: np.ndarray,
    discount: np.ndarray,
    income: np.ndarray,
    h: Housing,
) -> np.ndarray:
    """Return :func:`housing_burden` from each resident's tenure terms.

    The terms are :func:`pass_through` and :func:`rent_discount`.

    Tenure is fixed per place, so the model computes the two tenure terms once
    and calls this every month.
    """
    arrays = (price_now, price_ref, pass_through_share, discount, income)
    if all(
        isinstance(x, np.ndarray) and x.dtype == np.float32 and x.shape == price_ref.shape
        for x in arrays
    ):
        # The model's case (float32 per place): the same operations in place, without full-size
        # temporaries.
        cost = np.subtract(price_now, price_ref)
        cost *= pass_through_share
        cost += price_ref
        cost *= np.float32(h.m2_per_person * h.rent_yield_per_year)
        cost *= discount
        cost /= np.maximum(income, np.float32(1.0))
        return cost
    price = price_ref + pass_through_share * (price_now - price_ref)
    cost = h.m2_per_person * h.rent_yield_per_year * price * discount
    return cost / np.maximum(income, 1.0)


def demand_ratio(
    first_choices: np.ndarray, vacancies: np.ndarray, floor: float = 1e-3
) -> np.ndarray:
    """Return log(share of first choices / share of vacancies) per district (0 = balanced)."""
    fc = first_choices / max(first_choices.sum(), 1)
    vs = vacancies / max(vacancies.sum(), 1)
    return np.log(np.maximum(fc, floor) / np.maximum(vs, floor))


def step(model: DistrictModel, t: int) -> None:
    """Phase 9: prices relax toward the hedonic target (MODEL 5.8).

    Reads: ``Districts.reputation``, ``liveability``, ``pressure`` (last month's),
    ``population``, ``price_fixed_effect``; the city price trend.
    Writes: ``Districts.log_price``.
    """
    ds = model.districts
    log_city = model.log_city_price0 + model.rates.city_price_growth * t
    pop = np.maximum(ds.population, 1)
    target = (
        log_price_target(
            log_city, ds.reputation, ds.liveability, ds.pressure, pop, model.params.housing
        )
        + ds.price_fixed_effect
    )
    ds.log_price = relax(ds.log_price, target, model.rates.eta_price)
