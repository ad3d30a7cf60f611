"""Output columns are declared once (districtsim.outputs) and everything derives from that.

The Recorder refuses values that differ from the declared district columns; the district and
city tables have exactly the declared columns; a year sums a flow's months and averages a
state's; compare and sweeps share that one yearly summariser, bit for bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from districtsim.compare import OUTCOMES, yearly_outcomes
from districtsim.experiment import FLOW_VARIABLES, Outputs, city_columns
from districtsim.outputs import (
    CITY_HOW,
    CITY_KEYS,
    CITY_OUTPUTS,
    DISTRICT_KEYS,
    DISTRICT_OUTPUTS,
    FLOW,
    Column,
    column,
    flow_names,
)
from districtsim.results import YEARLY_COLUMNS, Recorder, RunResult, yearly_values
from districtsim.run import run_scenario
from districtsim.scenario import Scenario, load_scenario
from districtsim.sweep import summarise

NAMES = ["a", "b"]


def _values(t: int) -> dict[str, np.ndarray]:
    """Return month ``t``'s values for every declared column: district ``j`` has ``t + 10 j``."""
    return {c.name: np.array([t + 0.0, t + 10.0]) for c in DISTRICT_OUTPUTS}


def _recorded(months: int) -> Recorder:
    rec = Recorder(months, NAMES)
    for t in range(months):
        rec.record(t, _values(t), ["traditional", "creative"], 1.0)
    return rec


def test_declared_names_are_unique_and_sources_declared():
    for table in (DISTRICT_OUTPUTS, CITY_OUTPUTS):
        names = [c.name for c in table]
        assert len(set(names)) == len(names), f"expected unique column names, got {names}"
    district = {c.name: c for c in DISTRICT_OUTPUTS}
    for c in CITY_OUTPUTS:
        assert c.how in CITY_HOW, f"{c.name}: expected a known city aggregation, got {c.how}"
        if c.how in ("sum", "mean", "min", "max", "gini", "per_resident"):
            assert c.source in district, f"{c.name}: its source {c.source} is not declared"
        if c.how == "sum":
            assert (c.kind, c.name) == (district[c.source].kind, c.source), (
                f"{c.name}: a city total keeps its district column's name and kind"
            )
        if c.how == "mean":
            assert district[c.source].kind != FLOW, f"{c.name}: a mean of a flow would hide it"


def test_flows_sum_and_states_average_over_a_year():
    assert {c.year for c in DISTRICT_OUTPUTS + CITY_OUTPUTS if c.kind == FLOW} == {"sum"}
    assert {c.year for c in DISTRICT_OUTPUTS + CITY_OUTPUTS if c.kind != FLOW} == {"mean"}
    assert column("district", "moves_out_persons").yearly_unit == "persons/year"
    assert column("district", "mean_income_eur").yearly_unit == "EUR/year"
    with pytest.raises(ValueError, match="kind"):
        Column("x", "persons", "stock", "not a kind")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="valid: population"):
        column("district", "populaton")


def test_the_flows_are_those_summed_before_the_declaration():
    # Changing a column's kind changes every yearly summary of compare and sweeps.
    before = {
        *(f"moves_{k}_persons" for k in ("in", "in_from_outside", "out", "out_to_outside")),
        *(f"moves_out_{k}_persons" for k in ("burden", "liveability", "other", "within")),
        *(f"moves_out_{k}_persons" for k in ("owner", "private", "social")),
        *(f"moves_out_burden_{k}_persons" for k in ("owner", "private", "social")),
        "events",
        "innovations",
        "commercial_value_eur",
        "external_eur",
        "public_support_eur",
        "displacement_persons",
    }
    before = {n.replace("moves_out_within", "moves_within") for n in before}
    assert flow_names() == before == FLOW_VARIABLES, (
        f"expected the same flows; now also {sorted(flow_names() - before)}, "
        f"no longer {sorted(before - flow_names())}"
    )


def test_recorder_refuses_missing_and_unexpected_columns():
    rec = Recorder(2, NAMES)
    values = _values(0)
    del values["vacancies"]
    values["vacancy"] = np.zeros(2)
    with pytest.raises(ValueError, match=r"missing: \['vacancies'\]; unexpected: \['vacancy'\]"):
        rec.record(0, values, ["traditional", "creative"], 0.0)
    assert rec.n_recorded == 0, "expected nothing recorded from refused values"


def test_tables_have_exactly_the_declared_columns():
    rec = _recorded(3)
    assert list(rec.districts_frame().columns) == [
        *DISTRICT_KEYS,
        *(c.name for c in DISTRICT_OUTPUTS),
    ]
    city = rec.city_frame()
    assert list(city.columns) == [*CITY_KEYS, *(c.name for c in CITY_OUTPUTS)]
    assert city_columns() == tuple(c.name for c in CITY_OUTPUTS)
    # District a has t, b has t + 10; population is the same column, so the weights are t/(2t+10).
    t = np.arange(3.0)
    assert np.array_equal(city["population"], 2 * t + 10), "expected the sum over districts"
    w_b = (t + 10) / (2 * t + 10)
    np.testing.assert_allclose(city["identity_mean"], t * (1 - w_b) + (t + 10) * w_b)
    assert np.array_equal(city["price_eur_m2_max"], t + 10), "expected the highest district"
    assert np.array_equal(city["creative_districts"], [1, 1, 1]), "expected one creative"
    assert np.array_equal(city["displacement_persons"], [1.0, 1.0, 1.0])


def _result(months: int) -> RunResult:
    rec = _recorded(months)
    return RunResult(rec.districts_frame(), rec.city_frame(), pd.DataFrame())


def test_yearly_values_sum_flows_and_average_states_per_program_year():
    y = yearly_values(_result(15), [("district", "innovations"), ("district", "reputation")])
    assert list(y.columns) == YEARLY_COLUMNS
    assert (y["year"].dtype, y["months"].dtype) == (np.int32, np.int32)
    a = y[y["district"] == "a"].set_index(["variable", "year"])
    assert a.loc[("innovations", 0), "value"] == sum(range(12)), "expected a flow's yearly sum"
    assert a.loc[("innovations", 1), "value"] == 12 + 13 + 14, "expected the partial year's sum"
    assert a.loc[("reputation", 0), "value"] == np.mean(range(12)), "expected a state's mean"
    assert a.loc[("reputation", 1), ["months", "stat"]].tolist() == [3, "mean"]


@pytest.mark.parametrize("scope", ["district", "city"])
def test_compare_and_sweeps_share_the_yearly_summary(two_districts: Scenario, scope: str):
    result = run_scenario(dataclasses.replace(two_districts, months=15), seed=5)
    compared = yearly_outcomes(result)
    sources = {name: getattr(o, scope) for name, o in OUTCOMES.items() if getattr(o, scope)}
    outputs = Outputs(variables=tuple(sources.values()), summary="yearly", scope=scope)
    swept = summarise(result, outputs)
    for name, source in sources.items():
        a = compared[(compared["outcome"] == name) & (compared["scope"] == scope)]
        b = swept[swept["variable"] == source]
        assert np.array_equal(a["value"].to_numpy(), b["value"].to_numpy()), (
            f"expected compare's {scope} {name} to be the sweep's {source}, bit for bit"
        )
        assert set(b["stat"]) == {OUTCOMES[name].how}, f"{name}: expected the yearly how"


def test_extensive_columns_are_the_counts_and_amounts() -> None:
    """Counts and amounts add up over districts; shares, stocks, prices and means do not."""
    from districtsim.outputs import column

    for name in ("population", "moves_in_persons", "external_eur", "local_firms", "events"):
        assert column("district", name).extensive, f"expected {name} to add up over districts"
    for name in ("participation_rate", "identity", "price_eur_m2", "mean_income_eur"):
        assert not column("district", name).extensive, f"expected {name} to be averaged"
    city_sums = {c.source for c in CITY_OUTPUTS if c.how == "sum"}
    assert all(column("district", s).extensive for s in city_sums), "a summed column not extensive"


def test_creative_price_gap_and_collapsed_districts_follow_the_district_table():
    """The two city columns for the screens of issue 13, recomputed from the district table.

    ``price_gap_creative_traditional_eur_m2``: population-weighted mean price of the districts
    creative in month 0 minus that of the traditional ones (groups fixed at month 0);
    ``districts_participation_below_half_percent``: districts whose 12-month trailing mean
    participation (fewer months in the first year) is below 0.5%.
    """
    result = run_scenario(
        load_scenario("helsinki", ["scenario.months=30", "scenario.scale=0.02"]), seed=2
    )
    d, city = result.districts, result.city
    start = d[d["month"] == 0].set_index("district")["mode"]
    creative = d["district"].map(start.ne("traditional")).astype(bool)
    w = d["population"] * d["price_eur_m2"]
    by = d.assign(w=w).groupby(["month", creative.rename("creative")], observed=True)
    mean = by["w"].sum() / by["population"].sum()
    gap = (mean.xs(True, level="creative") - mean.xs(False, level="creative")).to_numpy()
    np.testing.assert_allclose(city["price_gap_creative_traditional_eur_m2"], gap, rtol=1e-9)
    rate = d.pivot(index="month", columns="district", values="participation_rate")
    trailing = rate.rolling(12, min_periods=1).mean()
    expected = (trailing < 0.005).sum(axis=1).to_numpy()
    np.testing.assert_array_equal(city["districts_participation_below_half_percent"], expected)
    assert start.eq("traditional").any() and start.ne("traditional").any()
    assert 0 < expected.max() < len(rate.columns), (
        f"expected some but not all districts under the line at scale 0.02: {expected}"
    )


def test_creative_price_gap_is_empty_without_both_kinds_of_district():
    """With only traditional districts (a recorder of one mode) the gap has no meaning: NaN."""
    rec = Recorder(3, NAMES)
    for t in range(3):
        rec.record(t, _values(t), ["traditional", "traditional"], 1.0)
    gap = rec.city_frame()["price_gap_creative_traditional_eur_m2"]
    assert gap.isna().all(), gap.tolist()


def test_city_columns_follow_the_naming_rule_of_docs_outputs_md() -> None:
    """A sum keeps the district column's name, a mean adds _mean, extremes _min/_max, and a
    share per resident keeps the name of the district share it aggregates."""
    district = {c.name: c for c in DISTRICT_OUTPUTS}
    for c in CITY_OUTPUTS:
        expected = {
            "sum": c.source,
            "mean": f"{c.source}_mean",
            "min": f"{c.source}_min",
            "max": f"{c.source}_max",
        }.get(c.how)
        if expected is not None:
            assert c.name == expected, f"city column {c.name} ({c.how} of {c.source}): {expected}"
        elif c.how == "per_resident":
            assert c.unit == "share" and district[c.name].unit == "share", (
                f"city column {c.name} is a share per resident: it must name a district share"
            )
