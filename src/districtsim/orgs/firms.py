"""Local firms: a struct of arrays, one entry per firm in a district (MODEL 2, 5.5, 5.8) [S1].

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
every one at any scale. They are not Mesa agents but a struct of arrays
(:class:`LocalFirms`, like the residents): a city has thousands of them, about
``exit_per_year / 12`` of them exit each month and as many enter, and a firm
makes no decision beyond its hazards, so an agent per firm would only cost
time (creating and removing hundreds of agents a month through Mesa's registry).
Each firm still has an id: ``firm_id`` continues the model's agent-id sequence
(``model.agent_id_counter``), taken at the moments the firms are created, so
the ids are unique among the model's agents, those of the agents created later
are as if the firms were agents, and the event log names a firm
``local_firm <id>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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


KIND = "local_firm"
"""How the event log names a local firm: ``local_firm <firm_id>``."""

FREE = -1
"""``LocalFirms.partnership_end`` of a firm that runs no partnership."""


def take_ids(model: DistrictModel, n: int) -> np.ndarray:
    """Return ``n`` new ids (int64) from the model's agent-id sequence, as Mesa gives agents.

    ``mesa.Model.register_agent`` sets ``unique_id = agent_id_counter`` and increments the
    counter; taking a block of it keeps every id unique among the model's agents and leaves the
    ids of agents created later as if each firm had been an agent.
    """
    start = model.agent_id_counter
    model.agent_id_counter = start + n
    return np.arange(start, start + n, dtype=np.int64)


class LocalFirms:
    """The city's local firms: arrays with one entry per firm, in creation order (MODEL 2, 5.8).

    Firms are appended as they enter and dropped as they exit, so ``firm_id`` is increasing.
    The few firms in a partnership with their district are listed by id in ``partnered``, in the
    order their partnerships began.

    Args:
        model: The model (the firms' ids come from its agent-id sequence).
        district: District of each firm present at the start.
        interest: Interest of each firm present at the start.
    """

    kind = KIND

    def __init__(self, model: DistrictModel, district: np.ndarray, interest: np.ndarray) -> None:
        n = len(district)
        self.district = np.asarray(district, dtype=np.intp)
        """Index of each firm's district (fixed)."""
        self.interest = np.asarray(interest, dtype=np.float64)
        """Interest in product development and commercialisation, 0..1 [S1]."""
        if self.interest.shape != (n,):
            raise ValueError(f"expected {n} interests, one per firm, got {self.interest.shape}")
        self.founded_month = np.full(n, -1, dtype=np.int64)
        """Model month each firm entered (-1 for firms present at the start)."""
        self.firm_id = take_ids(model, n)
        """Each firm's id, from the model's agent-id sequence (increasing)."""
        self.partnership_end = np.full(n, FREE, dtype=np.int64)
        """Month each firm's running partnership with its district ends; ``FREE`` (-1) if none."""
        self.partnered: list[int] = []
        """Ids of the firms in a partnership with their district, in the order it began."""

    def __len__(self) -> int:
        return len(self.firm_id)

    @property
    def is_free(self) -> np.ndarray:
        """True for each firm that runs no partnership."""
        return self.partnership_end == FREE

    def index(self, firm_id: np.ndarray | list[int]) -> np.ndarray:
        """Return the positions (intp) of the firms with these ids (which must be present)."""
        ids = np.asarray(firm_id, dtype=np.int64)
        pos = np.searchsorted(self.firm_id, ids)
        if pos.size and (pos.max() >= len(self) or (self.firm_id[pos] != ids).any()):
            raise KeyError(f"no local firm with id among {ids.tolist()}")
        return pos

    def remove(self, gone: np.ndarray) -> None:
        """Drop the firms where the bool array ``gone`` is true.

        The caller ends their partnerships first (:func:`step` logs them).
        """
        keep = ~gone
        self.district = self.district[keep]
        self.interest = self.interest[keep]
        self.founded_month = self.founded_month[keep]
        self.firm_id = self.firm_id[keep]
        self.partnership_end = self.partnership_end[keep]

    def add(
        self, model: DistrictModel, district: np.ndarray, interest: np.ndarray, month: int
    ) -> None:
        """Append new firms founded in ``month``, taking their ids from the model's sequence."""
        n = len(district)
        self.district = np.concatenate([self.district, np.asarray(district, dtype=np.intp)])
        self.interest = np.concatenate([self.interest, np.asarray(interest, dtype=np.float64)])
        self.founded_month = np.concatenate([self.founded_month, np.full(n, month, dtype=np.int64)])
        self.firm_id = np.concatenate([self.firm_id, take_ids(model, n)])
        self.partnership_end = np.concatenate(
            [self.partnership_end, np.full(n, FREE, dtype=np.int64)]
        )

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
    closing = np.flatnonzero(exits & ~firms.is_free)
    if closing.size:
        closed = set(firms.firm_id[closing].tolist())
        firms.partnered = [x for x in firms.partnered if x not in closed]
        for i in closing:  # in creation order
            detail = f"{KIND} {int(firms.firm_id[i])} (firm closed)"
            model.log_event(int(firms.district[i]), "partnership_end", detail)
    firms.remove(exits)
    n_new = rng.poisson(entry_rate)
    district = np.repeat(np.arange(nd), n_new)
    interest = draw_interest(rng, f, int(n_new.sum()))
    firms.add(model, district, interest, t)
    ds.local_firms = firms.per_district(nd)
