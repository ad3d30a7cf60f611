"""Partnerships with outside actors and innovations (MODEL 5.5) [S1, S4].

Each month a district forms a new partnership with probability
``1 - exp(-r_d)``, ``r_d = rate / 12 * (E_d / E_ref) * (0.5 + k_d) * m_platform``
(outside visibility ``E_d``, normalised knowledge ``k_d``, and a multiplier
for platform status); the partner is a free outside firm or research
institute drawn in proportion to its interest. Innovations arrive as a
Poisson process with monthly rate
``lambda0 / 12 * k_d^a * c_d^b * (1 + partners_d) * mode multiplier * efficiency * (1 + m_grant * grant_d / grant_ref)``,
with ``k = K / (K + K_half)`` and ``c = C / (C + C_half)`` for knowledge and
competence. Each innovation has a lognormal commercial value in EUR
(transferable: counted for the city) and adds ``benefit_per_innovation`` to
the district's local benefit, which fades with a half-life and feeds
liveability and reputation.
"""

from __future__ import annotations

import numpy as np

from districtsim.params import Partnerships


def saturating(x: np.ndarray, half: float) -> np.ndarray:
    """Return ``x / (x + half)``: a stock normalised to 0..1 (0.5 at ``half``)."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return x / (x + half)


def partnership_rate(
    visibility: np.ndarray, k_norm: np.ndarray, platform: np.ndarray, p: Partnerships
) -> np.ndarray:
    """Return each district's monthly hazard of forming a new partnership.

    ``platform`` is the platform standing in 0..1 (1 while a platform, fading
    after a lapse, :attr:`districtsim.program.ProgramYear.legacy`); the rate
    multiplier is ``1 + (platform_multiplier - 1) * platform``.
    """
    return (
        p.rate_per_year
        / 12.0
        * (visibility / p.visibility_ref)
        * (0.5 + k_norm)
        * platform_factor(platform, p.platform_multiplier)
    )


def platform_factor(platform: np.ndarray, multiplier: float) -> np.ndarray:
    """Return ``1 + (multiplier - 1) * platform`` for a platform standing in 0..1 (bool works: 1 or the multiplier)."""
    return 1.0 + (multiplier - 1.0) * np.asarray(platform, dtype=float)


def innovation_rate(
    k_norm: np.ndarray,
    c_norm: np.ndarray,
    partners: np.ndarray,
    mode_multiplier: np.ndarray,
    efficiency: np.ndarray,
    grant_factor: np.ndarray,
    p: Partnerships,
) -> np.ndarray:
    """Return each district's expected innovations this month (MODEL 5.5)."""
    return (
        p.lambda0_per_year
        / 12.0
        * k_norm**p.exponent_knowledge
        * c_norm**p.exponent_competence
        * (1.0 + partners)
        * mode_multiplier
        * efficiency
        * grant_factor
    )


def mode_multiplier(
    mode_codes: np.ndarray, p: Partnerships, legacy: np.ndarray | None = None
) -> np.ndarray:
    """Return the innovation multiplier for mode codes 0 traditional, 1 creative, 2 platform.

    A creative district with a platform ``legacy`` in 0..1 (a lapsed platform)
    gets ``m_creative + legacy * (m_platform - m_creative)``.
    """
    table = np.array(
        [p.mode_multiplier_traditional, p.mode_multiplier_creative, p.mode_multiplier_platform]
    )
    out = table[mode_codes]
    if legacy is not None:
        out = np.where(
            mode_codes == 1,
            p.mode_multiplier_creative
            + np.asarray(legacy) * (p.mode_multiplier_platform - p.mode_multiplier_creative),
            out,
        )
    return out


def draw_values(rng: np.random.Generator, n: int, p: Partnerships) -> np.ndarray:
    """Draw the commercial values (EUR) of ``n`` innovations (lognormal)."""
    return p.value_median_eur * np.exp(p.value_sigma * rng.standard_normal(n))
