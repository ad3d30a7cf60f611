"""Unit conversions for rates, applied once when a model is built."""

from __future__ import annotations

import numpy as np


def annual_probability_to_monthly_hazard(p_year: float | np.ndarray) -> float | np.ndarray:
    """Convert an annual probability to a constant monthly hazard.

    ``1 - exp(-12 h) = p_year`` so that twelve months of hazard ``h`` give the
    annual probability.
    """
    return -np.log1p(-np.asarray(p_year, dtype=float)) / 12.0


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
