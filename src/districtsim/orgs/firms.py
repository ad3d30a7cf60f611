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
from districtsim.rates import annual_rate_to_monthly

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
        annual_rate_to_monthly(f.partnerships_per_1000_per_year / 1000.0)
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


class LocalFirms:
    """The city's local firms: agents in creation order, with arrays of district and interest.

    The arrays mirror the agents' (fixed) district and interest for whole-array draws; the few
    firms in a partnership are listed in ``partnered``.

    Args:
        model: The model (the agents are created in it).
        district: District of each firm present at the start.
        interest: Interest of each firm present at the start.
    """

    def __init__(self, model: DistrictModel, district: np.ndarray, interest: np.ndarray) -> None:
        for d, i in zip(district, interest, strict=True):
            LocalFirm(model, d, i, -1)
        # A list, not an object array: numpy arrays do not take part in Python's cycle
        # collection, so firms (which hold the model) in an object array kept every finished
        # model alive (a sweep worker grew by about 25 MB a run at scale 0.1).
        self.agents: list[LocalFirm] = list(model.agents_by_type.get(LocalFirm, []))
        self.district = np.array([x.district for x in self.agents], dtype=np.intp)
        self.interest = np.array([x.interest for x in self.agents])
        self.partnered: list[LocalFirm] = []
        """Firms in a partnership with their district, in the order the partnerships began."""

    def __len__(self) -> int:
        return len(self.agents)

    def per_district(self, n_districts: int) -> np.ndarray:
        """Return the number of firms in each district (int64)."""
        return np.bincount(self.district, minlength=n_districts).astype(np.int64)

    def developing_per_district(self, n_districts: int) -> np.ndarray:
        """Return the number of firms interested in product development (interest >= 0.5)."""
        return np.bincount(self.district[self.interest >= 0.5], minlength=n_districts).astype(float)


def create_local_firms(model: DistrictModel) -> LocalFirms:
    """Create the local firms present at the start: the scenario's count, or the default density."""
    p = model.params
    n_firms = [
        d.local_firms
        if d.local_firms is not None
        else round(p.firms.initial_per_1000 * d.population / 1000)
        for d in model.config.districts
    ]
    interest = draw_interest(model.streams.get("init.firms"), p.firms, sum(n_firms))
    return LocalFirms(model, np.repeat(np.arange(model.n_districts), n_firms), interest)


def step(model: DistrictModel, t: int) -> None:
    """Phase 10b: local firms exit and enter (MODEL 5.8); an exiting firm ends its partnership.

    Reads: ``Districts.attractiveness``, ``population``.
    Writes: the local firms (exits, then entries appended by district), ``Districts.local_firms``;
    event log.
    """
    f = model.params.firms
    firms = model.firms
    ds = model.districts
    nd = model.n_districts
    rng = model.streams.get("firms", t)
    attr = np.maximum(ds.attractiveness, 1e-6)
    entry_rate = (
        model.rates.firm_entry_per_1000
        * (ds.population / 1000.0)
        * attr**f.elasticity_attractiveness
    )
    exit_p = np.clip(model.rates.firm_exit * attr ** (-f.elasticity_attractiveness), 0.0, 1.0)
    exits = rng.random(len(firms)) < exit_p[firms.district]
    for i in np.flatnonzero(exits):
        firm = firms.agents[i]
        if not firm.is_free:
            firms.partnered.remove(firm)
            detail = f"local_firm {firm.unique_id} (firm closed)"
            model.log_event(firm.district, "partnership_end", detail)
        firm.remove()
    n_new = rng.poisson(entry_rate)
    district = np.repeat(np.arange(nd), n_new)
    interest = draw_interest(rng, f, int(n_new.sum()))
    new = [LocalFirm(model, d, i, t) for d, i in zip(district, interest, strict=True)]
    firms.agents = [a for a, gone in zip(firms.agents, exits, strict=True) if not gone] + new
    firms.district = np.concatenate([firms.district[~exits], district])
    firms.interest = np.concatenate([firms.interest[~exits], interest])
    ds.local_firms = firms.per_district(nd)
