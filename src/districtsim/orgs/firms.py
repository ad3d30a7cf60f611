"""Local firms: Mesa agents in a district (MODEL 2, 5.5, 5.8) [S1].

A local firm has a district, a founding month and an interest in product
development and commercialisation (0..1, ~ Beta with mean
``firms.interest_mean``) [S1]. Local firms are services for the district's
residents (liveability counts them per 1,000 residents, MODEL 5.6); the few
with a development interest are the entrepreneurs of the resource base
(MODEL 5.8): a free local firm starts a time-limited partnership with its own
district at the monthly hazard

    partnerships_per_1000_per_year / 1000 / 12 * (interest / interest_mean)
        * (0.5 + k_d) * (1 + (platform_multiplier - 1) * standing_d)

(``k_d``: normalised collective knowledge, as for outside partners, MODEL 5.5;
``standing_d``: 1 while a platform, fading after a lapse, ``ProgramYear.legacy``).
A running local partnership adds to the partners of the innovation rate but
not to the external resources (its people are local). Firms enter at a rate
rising with population and attractiveness and exit at a rate falling with it
(MODEL 5.8); a firm that exits ends its partnership.

Local firms are not sampled with ``scale``: they are organisations, like the
associations, and there are few enough (about 25 per 1,000 residents) to keep
every one as an agent at any scale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from districtsim.params import Firms

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def draw_interest(rng: np.random.Generator, f: Firms, n: int) -> np.ndarray:
    """Draw ``n`` local firms' interests in product development, Beta(mean * c, (1 - mean) * c)."""
    return rng.beta(
        f.interest_mean * f.interest_concentration,
        (1.0 - f.interest_mean) * f.interest_concentration,
        n,
    )


def local_partnership_hazard(
    interest: np.ndarray,
    k_norm: np.ndarray,
    platform: np.ndarray,
    f: Firms,
    platform_multiplier: float,
) -> np.ndarray:
    """Return each free local firm's monthly hazard of starting a partnership with its district.

    ``k_norm`` and ``platform`` (the platform standing 0..1, see
    :func:`districtsim.partnerships.partnership_rate`) are per firm.
    """
    return (
        f.partnerships_per_1000_per_year
        / 12000.0
        * (interest / f.interest_mean)
        * (0.5 + k_norm)
        * (1.0 + (platform_multiplier - 1.0) * np.asarray(platform, dtype=float))
    )


class LocalFirm(mesa.Agent):
    """A firm located in a district.

    Args:
        model: The model.
        district: Index of its district.
        interest: Interest in product development and commercialisation, 0..1 [S1].
        founded_month: Model month it entered (negative for firms present at the start).
    """

    kind = "local_firm"

    def __init__(
        self, model: DistrictModel, district: int, interest: float, founded_month: int
    ) -> None:
        super().__init__(model)
        self.district = int(district)
        self.interest = float(interest)
        self.founded_month = int(founded_month)
        self.partnership_end: int | None = (
            None  # month its running partnership with the district ends
        )

    @property
    def is_free(self) -> bool:
        """True while the firm runs no partnership."""
        return self.partnership_end is None
