"""Social ties between residents, held in a scipy.sparse CSR matrix.

Each place has ``k`` outgoing ties (the people its occupant listens to); the
matrix has exactly ``k`` entries per row, so a row's ties are the slice
``indices[i*k:(i+1)*k]`` and can be rewired in place when the occupant
changes. Ties point to places: a tie to a vacant place is dormant, and a tie
from a neighbour to a place whose occupant changed now points to the
newcomer (ties are spatially embedded: people know who lives next door).
Neighbour effects are sparse products ``A @ x``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class Ties:
    """Fixed out-degree tie matrix over places.

    Args:
        block_start: First place of each district (length D + 1).
        neighbours: For each district, the array of adjacent districts.
        k: Ties per place.
        share_within: Share of ties inside the district; the rest go to
            adjacent districts (inside the district, for a district without
            neighbours).
        rng: The ``init.ties`` stream.

    No place is tied to itself: a drawn self-tie moves to the next place of
    the same block, and a place alone in its block is tied instead to a place
    of an adjacent district (any other place of the city, if its district
    has no neighbours).

    Raises:
        ValueError: If there is only one place (nobody else to be tied to).
    """

    def __init__(
        self,
        block_start: np.ndarray,
        neighbours: list[np.ndarray],
        k: int,
        share_within: float,
        rng: np.random.Generator,
    ) -> None:
        self.block_start = np.asarray(block_start, dtype=np.int64)
        self.k = int(k)
        self.share_within = float(share_within)
        n = int(self.block_start[-1])
        self.n = n
        if n == 1 and self.k > 0:
            raise ValueError(
                "Ties need at least two places: a single place has nobody to be tied to"
            )
        n_d = len(neighbours)
        size = np.diff(self.block_start)
        # Adjacent districts with places (a district without places cannot receive ties).
        neighbours = [
            np.asarray(nb, dtype=np.int64)[size[np.asarray(nb, dtype=np.int64)] > 0]
            for nb in neighbours
        ]
        self._has_nbr = np.array([len(nb) > 0 for nb in neighbours], dtype=bool)
        # Padded neighbour table: a district without neighbours points to itself.
        width = max(1, max((len(x) for x in neighbours), default=1))
        self._nbr = np.empty((n_d, width), dtype=np.int64)
        self._n_nbr = np.empty(n_d, dtype=np.int64)
        for d, nb in enumerate(neighbours):
            nb = nb if len(nb) else np.array([d])
            self._nbr[d, : len(nb)] = nb
            self._n_nbr[d] = len(nb)
        self._district = np.repeat(np.arange(n_d), np.diff(self.block_start))
        indices = self._draw(np.arange(n), rng).ravel()
        indptr = np.arange(0, n * self.k + 1, self.k, dtype=np.int64)
        self.A = sp.csr_matrix(
            (np.ones(n * self.k, dtype=np.float32), indices.astype(np.int32), indptr), shape=(n, n)
        )
        self.A.has_sorted_indices = False
        self._ones: np.ndarray | None = None

    @property
    def partners(self) -> np.ndarray:
        """The tie targets as an ``(n, k)`` view of the CSR indices (writes rewire)."""
        return self.A.indices.reshape(self.n, self.k)

    def _draw(self, places: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Draw ``k`` tie targets for each of ``places`` (shape ``(len(places), k)``)."""
        m = places.shape[0]
        # Each tie starts in the home district and leaves it with probability 1 - share_within,
        # to a uniformly chosen neighbour.
        target_d = np.repeat(self._district[places], self.k)
        outside = np.flatnonzero(rng.random(m * self.k) >= self.share_within)
        home = target_d[outside]
        n_nbr = self._n_nbr[home]
        pick = np.minimum((rng.random(outside.size) * n_nbr).astype(np.int64), n_nbr - 1)
        target_d[outside] = np.take(self._nbr, home * self._nbr.shape[1] + pick)
        lo, hi = self.block_start[target_d], self.block_start[target_d + 1]
        out = lo + (rng.random(m * self.k) * (hi - lo)).astype(np.int64)
        np.minimum(out, hi - 1, out=out)
        src = np.repeat(places, self.k)
        # Avoid self-ties: move to the next place of the same block ...
        self_tie = np.flatnonzero(out == src)
        if self_tie.size:
            lo_s, size = lo[self_tie], hi[self_tie] - lo[self_tie]
            out[self_tie] = lo_s + (out[self_tie] - lo_s + 1) % np.maximum(size, 1)
            # ... or, for a place alone in its block, out of the block (extra draws only then).
            alone = self_tie[size == 1]
            if alone.size:
                out[alone] = self._elsewhere(src[alone], rng)
        return out.reshape(m, self.k)

    def _elsewhere(self, src: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return a tie target outside the own block for each place of ``src``.

        Each place of ``src`` is alone in its block. The target is a uniform
        place of a uniformly chosen adjacent district, or, for a district
        without neighbours, a uniform place among all other places of the city.
        """
        d = self._district[src]
        n_nbr = self._n_nbr[d]
        u_district = rng.random(src.size)
        u_place = rng.random(src.size)
        pick = np.minimum((u_district * n_nbr).astype(np.int64), n_nbr - 1)
        target_d = np.take(self._nbr, d * self._nbr.shape[1] + pick)
        lo, hi = self.block_start[target_d], self.block_start[target_d + 1]
        out = np.minimum(lo + (u_place * (hi - lo)).astype(np.int64), hi - 1)
        isolated = ~self._has_nbr[d]
        if isolated.any():
            others = self.n - 1
            step = np.minimum((u_place[isolated] * others).astype(np.int64), others - 1)
            out[isolated] = (src[isolated] + 1 + step) % self.n
        return out

    def rewire(self, places: np.ndarray, rng: np.random.Generator) -> None:
        """Give the new occupants of ``places`` fresh ties (movers lose old local ties)."""
        if places.size:
            self.partners[places] = self._draw(places, rng)

    def tie_counts(
        self, was_active: np.ndarray, occupied: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (number of active ties, number of occupied ties) per place.

        The counts are small unsigned integers.

        Both counts come from one sparse product: each place carries the code
        ``occupied + 2**bits * was_active`` (``2**bits > k``, so the occupied
        count never carries into the active count), summed over a row's ties
        with integer arithmetic on a matrix of ones sharing ``A``'s structure.
        Exact, and about four times cheaper than two float products.
        """
        bits = self.k.bit_length()
        dtype = np.min_scalar_type(self.k * ((1 << bits) + 1))
        code = np.asarray(was_active, dtype=bool).astype(dtype)
        code <<= bits
        code |= np.asarray(occupied, dtype=bool)
        A = self.A
        if self._ones is None or self._ones.dtype != dtype or self._ones.shape[0] != A.nnz:
            self._ones = np.ones(A.nnz, dtype=dtype)
        counter = sp.csr_matrix((self._ones, A.indices, A.indptr), shape=A.shape, copy=False)
        total = counter @ code
        return total >> bits, total & dtype.type((1 << bits) - 1)

    def share_active(
        self, was_active: np.ndarray, occupied: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (number of active ties, share of occupied ties that were active) per place.

        Both are float32.
        """
        n_active, n_occupied = self.tie_counts(was_active, occupied)
        n_active = n_active.astype(np.float32)
        return n_active, n_active / np.maximum(n_occupied, 1).astype(np.float32)

    def connect(self, sources: np.ndarray, targets: np.ndarray, rng: np.random.Generator) -> None:
        """Replace one random tie of each source place by a tie to the matching target place."""
        if sources.size:
            col = rng.integers(0, self.k, sources.size)
            ok = sources != targets
            self.partners[sources[ok], col[ok]] = targets[ok]
