"""Helpers shared by the test files: small scenarios, stepped models, replicate statistics.

Test files import them with ``from helpers import ...``. pytest's default
("prepend") import mode puts this folder on ``sys.path`` for its
``conftest.py`` and for the test files in it (there is no ``__init__.py``),
as it puts ``tests/validation/`` there for ``replicates``.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import numpy as np
from scipy import stats

from districtsim.executors import LocalExecutor
from districtsim.model import DistrictModel
from districtsim.results import RunResult
from districtsim.run import run_scenario
from districtsim.scenario import SCENARIO_DIR, Scenario, load_scenario


def small_scenario(
    months: int,
    *overrides: str,
    scale: float = 0.02,
    name: str = "two_districts",
    tables: str = "",
    folder: Path | None = None,
) -> Scenario:
    """Load a scenario cut to ``months`` and ``scale``, then apply ``overrides`` (``--set`` style).

    Args:
        months: The horizon (``scenario.months``).
        *overrides: Further ``section.key=value`` overrides, applied in order after
            the horizon and the scale.
        scale: The simulated fraction of the population (``scenario.scale``).
        name: A bundled scenario, or a scenario file.
        tables: TOML tables (e.g. ``[[interventions]]``) to append to the bundled
            ``name``: the text is written to a file in ``folder`` and that file loaded.
        folder: Where to write the scenario file when ``tables`` is given.
    """
    source = name
    if tables:
        assert folder is not None, "small_scenario: tables need a folder to write the file to"
        path = folder / f"iv_{abs(hash(tables)) % 10**8}.toml"
        base = (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")
        path.write_text(base + "\n" + tables, encoding="utf-8")
        source = str(path)
    return load_scenario(
        source, [f"scenario.months={months}", f"scenario.scale={scale}", *overrides]
    )


def stepped(scen: Scenario, months: int | None = None, seed: int = 1) -> DistrictModel:
    """Return a model of ``scen`` with ``seed`` stepped ``months`` times (default: the horizon)."""
    model = DistrictModel(scen, seed=seed)
    for _ in range(scen.months if months is None else months):
        model.step()
    return model


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Return the mean and a two-sided Student-t confidence interval over replicates."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def run_seeds(scenario: Scenario, seeds, workers: int = 2) -> list[RunResult]:
    """Run ``scenario`` once per seed on the project's :class:`LocalExecutor`; in seed order.

    The replicate tests run many independent runs: two ``spawn`` processes use both cores of the
    CI machine (each run is single-threaded). Results equal sequential runs (one seed drives
    every draw of a run; ``tests/test_reproducibility.py``).
    """
    seeds = list(seeds)
    by_seed: dict[int, RunResult] = {}
    with LocalExecutor(workers=max(1, min(workers, len(seeds)))) as executor:
        executor.execute(
            partial(run_scenario, scenario),
            seeds,
            lambda result: by_seed.__setitem__(result.meta["seed"], result),
        )
    return [by_seed[seed] for seed in seeds]


def die_on_two(task: int) -> int:
    """Return ``task``; on task 2 kill this (worker) process, as the system does when memory
    runs out (tests of LocalExecutor: a pool that loses a worker)."""
    import os
    import signal
    import time

    if task == 2:
        time.sleep(0.5)  # let tasks 0 and 1 finish first
        os.kill(os.getpid(), signal.SIGKILL)
    return task


def doc_block(text: str, name: str, doc: str) -> str:
    """Return the text between ``<!-- name:start -->`` and ``<!-- name:end -->`` of ``doc``."""
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"{doc}: no block <!-- {name}:start --> ... <!-- {name}:end -->"
    return match.group(1)


def rewrite_blocks(path: Path, generated: dict[str, str]) -> None:
    """Rewrite the generated blocks of the Markdown file ``path`` (by marker name)."""
    text = path.read_text(encoding="utf-8")
    for name, content in generated.items():
        doc_block(text, name, path.name)
        text = re.sub(
            rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)",
            lambda m, content=content: m.group(1) + content + m.group(2),
            text,
            flags=re.S,
        )
    path.write_text(text, encoding="utf-8")


TWO_INPUTS = [
    {"name": "mobilisation.tau", "kind": "continuous", "lo": 0.05, "hi": 0.12},
    {"name": "identity.time_constant_months", "kind": "continuous", "lo": 12.0, "hi": 36.0},
]
"""Two continuous inputs that move civic outcomes of two_districts (tiny analysis sweeps)."""


def tiny_experiment(
    name: str,
    design: dict,
    variables: list[str],
    *,
    scope: str = "both",
    months: int = 12,
    root_seed: int = 5,
) -> dict:
    """Return an experiment as a dict: two_districts at scale 0.01, 2 replicates, TWO_INPUTS."""
    return {
        "experiment": {
            "name": name,
            "scenario": "two_districts",
            "root_seed": root_seed,
            "replicates": 2,
            "months": months,
            "scale": 0.01,
        },
        "inputs": [dict(i) for i in TWO_INPUTS],
        "design": design,
        "outputs": {"variables": variables, "summary": "yearly", "scope": scope},
    }


class Cyclic:
    """An object in a reference cycle (as a finished model is, with its agents)."""

    def __init__(self) -> None:
        self.me = self


def cyclic_garbage_alive(task: int) -> int:
    """Leave an object in a reference cycle behind; return how many such objects are alive.

    Task ``n`` is run after tasks ``0..n-1``: an executor that collects each finished task's
    cycles returns 0 every time (tests of LocalExecutor: a worker running many models).
    """
    import gc

    alive = sum(isinstance(x, Cyclic) for x in gc.get_objects())
    Cyclic()
    return alive
