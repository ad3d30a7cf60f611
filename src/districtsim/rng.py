"""Named random streams: one root seed, common random numbers.

Every random draw in a run comes from a generator returned by
:meth:`Streams.get`. A stream is identified by its name (and, for monthly
draws, the month): its seed is the root seed plus a stable hash of the name,
so adding an intervention or a new component never shifts anybody else's
draws (common random numbers, as in Starsim's ``Dist.process_seed``). No
global random state is used anywhere.

**Seeds of batches.** Comparisons (:mod:`districtsim.compare`) and sweeps
(:mod:`districtsim.sweep`) derive the root seed of each run from one scheme,
:func:`replicate_seed`: replicate ``r`` runs on ``(root_seed + r) mod 2**63``
in every arm of a comparison and at every design point of a sweep. Runs that
differ only in their inputs therefore share their random numbers (common
random numbers across arms *and* design points), so the difference between
two arms or two points on the same replicate is the effect of the inputs,
not noise; and replicate ``r`` of any batch is ``districtsim run SCENARIO
--seed ROOT+r``. :data:`SEED_SCHEME` names the scheme in the batches'
metadata (``meta.json``, ``sweep.json``).
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


SEED_SPACE = 2**63
"""Root seeds are integers in ``[0, 2**63)`` (a signed 64-bit column in Parquet and pandas)."""

SEED_SCHEME = "(root_seed + replicate) mod 2**63"
"""The one seed scheme of comparisons and sweeps, recorded in their metadata.

Every arm and every design point use the same seed for the same replicate
(common random numbers); see the module docstring.
"""


def replicate_seed(root_seed: int, replicate: int) -> int:
    """Return the root seed of replicate ``replicate`` of a batch (:data:`SEED_SCHEME`).

    The same for every arm of a comparison and every design point of a
    sweep; independent of the number of workers, the executor and the order
    runs finish in. Neighbouring seeds give independent streams (each stream
    hashes its seed through ``SeedSequence``), so ``root + r`` is as good as
    any scrambled seed.

    Args:
        root_seed: The batch's root seed (a non-negative integer).
        replicate: The replicate index, 0-based.

    Returns:
        ``(root_seed + replicate) mod 2**63``.

    Raises:
        ValueError: If ``root_seed`` or ``replicate`` is negative.
    """
    if root_seed < 0 or replicate < 0:
        raise ValueError(
            f"root_seed and replicate must be non-negative, got {root_seed} and {replicate}"
        )
    return (int(root_seed) + int(replicate)) % SEED_SPACE


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Return the seeds of replicates ``0 .. replicates - 1`` (:func:`replicate_seed`)."""
    return [replicate_seed(root_seed, r) for r in range(replicates)]
