"""Named random streams: one root seed, common random numbers.

Every random draw in a run comes from a generator returned by
:meth:`Streams.get`. A stream is identified by its name (and, for monthly
draws, the month): its seed is the root seed plus a stable hash of the name,
so adding an intervention or a new component never shifts anybody else's
draws (common random numbers, as in Starsim's ``Dist.process_seed``). No
global random state is used anywhere.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """Return a stable 32-bit key for a stream name (CRC-32, not Python's salted hash)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of independent generators, children of one root seed.

    Args:
        seed: The run's root seed (a non-negative integer).
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def get(self, name: str, month: int | None = None) -> np.random.Generator:
        """Return the generator for stream ``name`` (in ``month``, if given).

        The same (seed, name, month) always gives the same sequence.
        """
        key = (stream_key(name),) if month is None else (stream_key(name), int(month))
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(entropy=self.seed, spawn_key=key))
        )
