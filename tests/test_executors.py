"""Local process pools: a worker that dies is reported in one line, finished results kept."""

from __future__ import annotations

import pytest

from districtsim.executors import ClusterError, LocalExecutor, WorkerLost
from helpers import die_on_two


def test_a_killed_worker_is_a_one_line_error_and_finished_results_are_kept() -> None:
    got: list[int] = []
    with pytest.raises(WorkerLost) as info, LocalExecutor(2) as executor:
        executor.execute(die_on_two, range(6), got.append)
    assert isinstance(info.value, ClusterError), "handled like a failed cluster (exit 3)"
    assert "worker process died" in str(info.value) and "\n" not in str(info.value)
    assert {0, 1} <= set(got) and 2 not in got, f"expected tasks 0 and 1 handed over: {got}"
