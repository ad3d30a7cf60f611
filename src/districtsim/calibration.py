"""Which design points of a sweep meet every calibration target (rejection, issue 13).

A sweep whose ``[outputs]`` name a targets file (``targets = "helsinki"``) keeps each run's
target measures as outcomes of scope ``"target"`` (:func:`districtsim.sweep.target_rows`).
:func:`accepted_points` averages them over each point's finished replicates and marks the
points whose means lie in every target's band: the accepted region of a rejection
calibration (a Latin hypercube over the plausible ranges of the parameters that matter, then
keep what meets the targets; history matching without an emulator).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from districtsim.analysis import acceptance, read_sweep
from districtsim.errors import ScenarioError


def accepted_points(out: str | Path) -> pd.DataFrame:
    """Return which design points of the sweep in ``out`` meet every target.

    The table of :func:`districtsim.analysis.acceptance` (``districtsim analyze`` writes it as
    ``analysis/accepted``). Raises :class:`~districtsim.errors.ScenarioError` if the sweep kept
    no targets.
    """
    out = Path(out)
    _, exp, inputs, outcomes = read_sweep(out)
    table = acceptance(exp, inputs, outcomes)
    if table is None:
        raise ScenarioError(
            str(out / "sweep.json"),
            "outputs.targets",
            None,
            'a sweep whose [outputs] name a targets file (targets = "helsinki")',
        )
    return table
