"""The one seam: ``run_scenario(scenario, seed) -> RunResult``.

The CLI, the tests (and later sweeps, the dashboard and reports) all run the
model through :func:`run_scenario`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from districtsim.model import DistrictModel
from districtsim.results import RunResult, software_versions
from districtsim.scenario import Scenario

EVENT_COLUMNS = ["month", "district", "event", "detail", "value"]


def run_scenario(
    scenario: Scenario, seed: int | None = None, on_month: Callable[[int], None] | None = None
) -> RunResult:
    """Run one simulation and return its tables and metadata.

    Args:
        scenario: A validated scenario (its ``months`` and ``scale`` apply).
        seed: Root seed; None takes the scenario's seed.
        on_month: Called after each month with the month index (progress bars).

    Returns:
        The district, city and event tables and the run metadata.
    """
    started = time.perf_counter()
    model = DistrictModel(scenario, seed=seed)
    for t in range(scenario.months):
        model.step()
        if on_month is not None:
            on_month(t)
    events = pd.DataFrame(model.event_log, columns=EVENT_COLUMNS)
    events["month"] = events["month"].astype(np.int32)
    events["value"] = events["value"].astype(float)
    meta = {
        "scenario": dataclasses.replace(scenario, seed=model.seed).to_dict(),
        "seed": model.seed,
        **software_versions(),
        "months": scenario.months,
        "scale": scenario.scale,
        "simulated_places": int(model.residents.n),
        "elapsed_seconds": round(time.perf_counter() - started, 3),
    }
    return RunResult(
        districts=model.recorder.districts_frame(),
        city=model.recorder.city_frame(),
        events=events,
        meta=meta,
        criteria=model.criteria_table(),
    )
