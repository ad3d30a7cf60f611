"""Local process pools: a worker that dies is reported in one line, finished results kept."""

from __future__ import annotations

import pytest

from districtsim import kernels
from districtsim.executors import ClusterError, LocalExecutor, WorkerLost, call_guarded
from helpers import cyclic_garbage_alive, die_on_two


def test_a_killed_worker_is_a_one_line_error_and_finished_results_are_kept() -> None:
    got: list[int] = []
    with pytest.raises(WorkerLost) as info, LocalExecutor(2) as executor:
        executor.execute(die_on_two, range(6), got.append)
    assert isinstance(info.value, ClusterError), "handled like a failed cluster (exit 3)"
    assert "worker process died" in str(info.value) and "\n" not in str(info.value)
    assert {0, 1} <= set(got) and 2 not in got, f"expected tasks 0 and 1 handed over: {got}"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_finished_task_s_reference_cycles_are_collected_before_the_next(workers: int) -> None:
    """A finished model (in a cycle with its agents) is freed before the next run starts."""
    got: list[int] = []
    with LocalExecutor(workers) as executor:
        executor.execute(cyclic_garbage_alive, range(40), got.append)
    assert got == [0] * 40, f"expected no cycle left over from earlier tasks: {got}"


def test_a_worker_runs_the_kernels_on_one_thread():
    """Sweep and comparison workers already use every core: their kernels use one thread."""
    kernels.set_threads(2)
    try:
        assert call_guarded(lambda _: kernels.threads(), None) == (True, 1), "expected 1 thread"
    finally:
        kernels.set_threads(0)
