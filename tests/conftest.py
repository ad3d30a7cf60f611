"""Shared fixtures: small, fast scenarios for tests.

The plain helpers behind them (:func:`helpers.small_scenario`,
:func:`helpers.stepped`, :func:`helpers.mean_ci`) live in ``tests/helpers.py``,
which test files import directly.
"""

from __future__ import annotations

import pytest

from districtsim.scenario import Scenario
from helpers import small_scenario


@pytest.fixture(scope="session")
def two_districts() -> Scenario:
    """The two-district comparison, shortened and scaled down for speed."""
    return small_scenario(24)
