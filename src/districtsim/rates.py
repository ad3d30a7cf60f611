"""Unit conversions for rates, applied once when a model is built (:class:`MonthlyRates`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from districtsim.params import Params


def annual_probability_to_monthly_hazard(p_year: float | np.ndarray) -> float | np.ndarray:
    """Convert an annual probability to a constant monthly hazard.

    ``1 - exp(-12 h) = p_year`` so that twelve months of hazard ``h`` give the
    annual probability.
    """
    return -np.log1p(-np.asarray(p_year, dtype=float)) / 12.0


def annual_probability_to_monthly_probability(p_year: float | np.ndarray) -> float | np.ndarray:
    """Return the monthly probability ``1 - (1 - p_year)^(1/12)`` (1 for a certain event)."""
    if np.ndim(p_year) == 0:
        return 1.0 - (1.0 - p_year) ** (1 / 12) if p_year < 1 else 1.0
    return 1.0 - (1.0 - np.asarray(p_year, dtype=float)) ** (1 / 12)


def hazard_to_probability(h: float | np.ndarray) -> float | np.ndarray:
    """Return the probability of at least one event in a month with hazard ``h``."""
    return -np.expm1(-np.asarray(h, dtype=float))


def half_life_to_monthly_rate(half_life_years: float) -> float:
    """Return the monthly relaxation fraction for a half-life given in years."""
    return 1.0 - 0.5 ** (1.0 / (12.0 * half_life_years))


def time_constant_to_monthly_rate(months: float) -> float:
    """Return the monthly relaxation fraction ``1 - exp(-1/T)`` for time constant ``T`` months."""
    return -float(np.expm1(-1.0 / months))


def annual_rate_to_monthly(rate_per_year: float) -> float:
    """Return a per-month rate for a rate per year (for Poisson counts)."""
    return rate_per_year / 12.0


@dataclass(frozen=True)
class MonthlyRates:
    """Every per-year rate and time constant of the parameters, converted to per month once.

    Built when a model is built (:meth:`from_params`); the phases read these and never convert
    a per-year figure themselves.
    """

    eta_identity: float
    """Monthly relaxation fraction of identity (``identity.time_constant_months``)."""
    eta_liveability: float
    """Monthly relaxation fraction of liveability (``liveability.time_constant_months``)."""
    eta_price: float
    """Monthly relaxation fraction of log prices (``housing.price_time_constant_months``)."""
    eta_pressure: float
    """Monthly smoothing fraction of demand counts (``housing.demand_smoothing_months``)."""
    eta_reputation: float
    """Monthly relaxation fraction of reputation (``reputation.half_life_years``)."""
    decay_public: float
    """Monthly decay of published knowledge (``knowledge.half_life_public_years``)."""
    decay_private: float
    """Monthly decay of unpublished knowledge (``knowledge.half_life_private_years``)."""
    benefit_decay: float
    """Monthly decay of local benefit (``partnerships.benefit_half_life_years``)."""
    h0: np.ndarray
    """Monthly base move hazard by tenure (owner, private, social), float32."""
    p_member_exit: float
    """Monthly probability that a member leaves (``associations.member_exit_per_year``)."""
    omega: float
    """Monthly orientation drift fraction (``associations.omega_per_year``)."""
    growth: float
    """Monthly log growth of the population (``migration.population_growth_per_year``)."""
    cost_per_eur_m2: float
    """Housing cost in EUR/year per EUR/m2 of price (m2 per person x rent yield per year)."""
    income_growth: np.float32
    """Monthly income growth factor (``population.income_growth_per_year``)."""
    city_price_growth: float
    """Monthly log growth of the city price level (``housing.price_trend_per_year``)."""
    firm_exit: float
    """Monthly exit probability of a local firm at average attractiveness."""
    firm_entry_per_1000: float
    """Monthly local-firm entries per 1,000 residents at average attractiveness."""

    @classmethod
    def from_params(cls, p: Params) -> MonthlyRates:
        """Convert the per-year rates and time constants of ``p``."""
        mig = p.migration
        a = p.associations
        tenure_rates = [
            mig.move_rate_owner_per_year,
            mig.move_rate_private_per_year,
            mig.move_rate_social_per_year,
        ]
        return cls(
            eta_identity=time_constant_to_monthly_rate(p.identity.time_constant_months),
            eta_liveability=time_constant_to_monthly_rate(p.liveability.time_constant_months),
            eta_price=time_constant_to_monthly_rate(p.housing.price_time_constant_months),
            eta_pressure=time_constant_to_monthly_rate(p.housing.demand_smoothing_months),
            eta_reputation=half_life_to_monthly_rate(p.reputation.half_life_years),
            decay_public=half_life_to_monthly_rate(p.knowledge.half_life_public_years),
            decay_private=half_life_to_monthly_rate(p.knowledge.half_life_private_years),
            benefit_decay=half_life_to_monthly_rate(p.partnerships.benefit_half_life_years),
            h0=np.asarray(annual_probability_to_monthly_hazard(tenure_rates), dtype=np.float32),
            p_member_exit=annual_probability_to_monthly_probability(a.member_exit_per_year),
            omega=annual_probability_to_monthly_probability(a.omega_per_year),
            growth=np.log1p(mig.population_growth_per_year) / 12.0,
            cost_per_eur_m2=p.housing.m2_per_person * p.housing.rent_yield_per_year,
            income_growth=np.float32((1.0 + p.population.income_growth_per_year) ** (1 / 12)),
            city_price_growth=np.log1p(p.housing.price_trend_per_year) / 12.0,
            firm_exit=p.firms.exit_per_year / 12.0,
            firm_entry_per_1000=p.firms.initial_per_1000 * p.firms.exit_per_year / 12.0,
        )
