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

from districtsim.analysis import read_sweep
from districtsim.errors import ScenarioError


def accepted_points(out: str | Path) -> pd.DataFrame:
    """Return one row per design point with a finished run: inputs, target means, acceptance.

    Columns: ``point``, the inputs, ``n_runs`` (finished replicates), one column per target
    measure (the mean over the point's finished replicates), ``met_<measure>`` per target and
    ``accepted`` (every target met). Raises :class:`~districtsim.errors.ScenarioError` if the
    sweep kept no targets.
    """
    out = Path(out)
    _, exp, inputs, outcomes = read_sweep(out)
    targets = exp.outputs.targets
    if not targets:
        raise ScenarioError(
            str(out / "sweep.json"),
            "outputs.targets",
            None,
            'a sweep whose [outputs] name a targets file (targets = "helsinki")',
        )
    ok = inputs[inputs["status"] == "ok"]
    rows = outcomes[(outcomes["scope"] == "target") & outcomes["run_id"].isin(ok.index)]
    values = rows.pivot_table(index="run_id", columns="variable", values="value", aggfunc="first")
    values["point"] = ok.loc[values.index, "point"].to_numpy()
    means = values.groupby("point").mean()
    points = ok.drop_duplicates("point").set_index("point")[list(exp.input_names)]
    table = points.loc[means.index].copy()
    table["n_runs"] = values.groupby("point").size()
    for t in targets:
        table[t.measure] = means[t.measure]
        table[f"met_{t.measure}"] = means[t.measure].map(t.met)
    table["accepted"] = table[[f"met_{t.measure}" for t in targets]].all(axis=1)
    return table.reset_index()
