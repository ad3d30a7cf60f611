"""Shared fixtures: small, fast scenarios for tests."""

from __future__ import annotations

import pytest

from districtsim.scenario import Scenario, load_scenario


@pytest.fixture(scope="session")
def two_districts() -> Scenario:
    """The two-district comparison, shortened and scaled down for speed."""
    return load_scenario("two_districts", ["scenario.months=24", "scenario.scale=0.02"])
