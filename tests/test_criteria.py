"""The seven evaluation criteria (MODEL 5.10) [S4] and ``criteria.parquet``.

:func:`districtsim.criteria.criteria` on a hand-built record (which criteria
are sums, means or year-end values; the outside share), the funder's score
(z-scores, weights), and the criteria table of a run against the district
table it summarises.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from districtsim.calendar import calendar_month
from districtsim.criteria import CRITERIA_COLUMNS, CRITERIA_GROUPS, criteria, score
from districtsim.params import Program
from districtsim.results import write_results
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

# 3 recorded months x 2 districts.
DATA = {
    "commercial_value_eur": np.array([[100.0, 0.0], [50.0, 1000.0], [0.0, 7.0]]),
    "external_persons": np.array([[3.0, 0.0], [6.0, 3.0], [9.0, 3.0]]),
    "external_eur": np.array([[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]]),
    "collective_knowledge_person_months": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
    "knowledge_public_share": np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]),
    "competence_inside_persons": np.array([[10.0, 0.0], [30.0, 5.0], [20.0, 0.0]]),
    "competence_outside_persons": np.array([[10.0, 0.0], [10.0, 15.0], [0.0, 0.0]]),
    "public_support_persons": np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]),
    "public_support_eur": np.array([[0.0, 100.0], [200.0, 100.0], [200.0, 0.0]]),
    "liveability": np.array([[0.1, 0.2], [0.3, 0.4], [0.55, 0.65]]),
    "reputation": np.array([[0.1, 0.2], [0.3, 0.4], [0.45, 0.75]]),
    "attractiveness": np.array([[1.0, 1.0], [1.1, 0.9], [1.2, 0.8]]),
    "local_firms": np.array([[100.0, 50.0], [110.0, 50.0], [120.0, 60.0]]),
    "population": np.array([[1000.0, 3000.0], [1000.0, 3000.0], [4000.0, 2000.0]]),
    "price_eur_m2": np.array([[4000.0, 5000.0], [4100.0, 5100.0], [4200.0, 5200.0]]),
    "channel_coverage": np.array([[0.1, 0.3], [0.2, 0.3], [0.3, 0.3]]),
    "participation_rate": np.array([[0.01, 0.05], [0.02, 0.05], [0.06, 0.05]]),
    "identity": np.array([[0.2, 0.3], [0.4, 0.5], [0.6, 0.7]]),
}


def test_groups_cover_every_column_once() -> None:
    grouped = [c for cols in CRITERIA_GROUPS.values() for c in cols]
    scored = sorted(
        c for c in CRITERIA_COLUMNS if c != "population"
    )  # population only normalises (score_per_capita)
    assert sorted(grouped) == scored, (
        "expected the weight groups to cover each criteria column exactly once; grouped "
        f"{sorted(grouped)}"
    )
    assert len(CRITERIA_GROUPS) == 7, "expected seven criteria groups (MODEL 5.10)"
    for w in CRITERIA_GROUPS:
        assert hasattr(Program(), w), f"expected a [program] weight {w}"


def test_criteria_sums_means_and_year_end_values() -> None:
    c = criteria(DATA, slice(0, 3))
    assert set(c) == set(CRITERIA_COLUMNS), f"expected every criteria column, got {sorted(c)}"
    np.testing.assert_allclose(
        c["commercial_value_eur"],
        [150.0, 1007.0],
        err_msg="expected commercial value summed over the months",
    )
    np.testing.assert_allclose(
        c["external_eur"], [90.0, 120.0], err_msg="expected partners' EUR summed over the months"
    )
    np.testing.assert_allclose(
        c["public_support_eur"], [400.0, 200.0], err_msg="expected grants summed over the months"
    )
    np.testing.assert_allclose(
        c["external_persons"],
        [6.0, 2.0],
        err_msg="expected outside experts averaged over the months",
    )
    np.testing.assert_allclose(
        c["public_support_persons"],
        [2 / 3, 2 / 3],
        err_msg="expected staff averaged over the months",
    )
    np.testing.assert_allclose(
        c["competence_persons"],
        [80 / 3, 20 / 3],
        err_msg="expected competence network (inside + outside) averaged over the months",
    )
    np.testing.assert_allclose(
        c["channel_coverage"], [0.2, 0.3], err_msg="expected channel coverage averaged"
    )
    np.testing.assert_allclose(
        c["mobilisation_rate"],
        [0.03, 0.05],
        err_msg="expected mobilisation rate = mean participation rate",
    )
    for col in (
        "collective_knowledge_person_months",
        "knowledge_public_share",
        "liveability",
        "reputation",
        "attractiveness",
        "identity",
    ):
        src = col
        np.testing.assert_allclose(
            c[col], DATA[src][-1], err_msg=f"expected {col} at year end (last month)"
        )
    np.testing.assert_allclose(
        c["housing_value_eur_m2"],
        [4200.0, 5200.0],
        err_msg="expected housing value = price in the last month",
    )
    np.testing.assert_allclose(
        c["vitality_firms_per_1000"],
        [120 / 4.0, 60 / 2.0],
        err_msg="expected vitality = local firms per 1,000 residents in the last month",
    )


def test_outside_share_is_mean_of_monthly_shares() -> None:
    c = criteria(DATA, slice(0, 3))
    # District 0: 10/20, 10/40, 0/20 -> mean 0.25;
    # district 1: 0/0 (counts as 0), 15/20, 0/0 -> 0.25.
    np.testing.assert_allclose(
        c["competence_outside_share"],
        [0.25, 0.25],
        err_msg=(
            "expected the mean of monthly outside / (inside + outside), with 0 for a month "
            "without competence"
        ),
    )
    ratio_of_means = DATA["competence_outside_persons"].sum(axis=0) / (
        DATA["competence_inside_persons"] + DATA["competence_outside_persons"]
    ).sum(axis=0)
    assert not np.allclose(c["competence_outside_share"], ratio_of_means), (
        "expected a mean of monthly shares, not a ratio of sums (the hand-built data tells "
        "them apart)"
    )


def test_criteria_use_only_the_given_months() -> None:
    c = criteria(DATA, slice(1, 3))
    np.testing.assert_allclose(
        c["commercial_value_eur"], [50.0, 1007.0], err_msg="expected sums over months 1..2 only"
    )
    np.testing.assert_allclose(
        c["external_persons"], [7.5, 3.0], err_msg="expected means over months 1..2 only"
    )
    c1 = criteria(DATA, slice(0, 1))
    np.testing.assert_allclose(
        c1["identity"],
        [0.2, 0.3],
        err_msg="expected year-end values from the last month of the slice",
    )
    np.testing.assert_allclose(
        c1["vitality_firms_per_1000"],
        [100.0, 50 / 3],
        err_msg="expected vitality from the slice's last month",
    )


def _values(**cols: list[float]) -> dict[str, np.ndarray]:
    base = {c: np.zeros(4) for c in CRITERIA_COLUMNS}
    base.update({k: np.asarray(v, dtype=float) for k, v in cols.items()})
    return base


def _only(**weights: float) -> Program:
    zero = dict.fromkeys(CRITERIA_GROUPS, 0.0)
    zero.update(weights)
    return dataclasses.replace(Program(), **zero)


def test_score_is_weighted_mean_of_group_z_scores() -> None:
    k = np.array([1.0, 2.0, 3.0, 6.0])
    share = np.array([0.1, 0.4, 0.2, 0.5])
    money = np.array([0.0, 0.0, 100.0, 300.0])
    vals = _values(
        collective_knowledge_person_months=k,
        knowledge_public_share=share,
        commercial_value_eur=money,
    )

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / x.std()

    got = score(vals, _only(w_knowledge=1.0))
    np.testing.assert_allclose(
        got,
        (z(k) + z(share)) / 2,
        err_msg="expected a group's score = mean z-score of its columns (population sd)",
    )
    np.testing.assert_allclose(
        score(vals, _only(w_knowledge=5.0)),
        got,
        err_msg=(
            "expected one weighted group to give the same score whatever its weight "
            "(normalised by the weight sum)"
        ),
    )
    mixed = score(vals, _only(w_knowledge=1.0, w_commercial=3.0))
    np.testing.assert_allclose(
        mixed,
        (1.0 * (z(k) + z(share)) / 2 + 3.0 * z(money)) / 4.0,
        err_msg="expected sum_g w_g z_g / sum_g w_g",
    )
    np.testing.assert_allclose(
        got.mean(), 0.0, atol=1e-12, err_msg="expected z-scores to centre on 0 across districts"
    )


def test_score_ignores_zero_weights_and_constant_columns() -> None:
    k = np.array([1.0, 2.0, 3.0, 6.0])
    vals = _values(
        collective_knowledge_person_months=k,
        knowledge_public_share=[0.3, 0.3, 0.3, 0.3],
        commercial_value_eur=[np.nan, 1.0, 2.0, 3.0],
    )
    got = score(vals, _only(w_knowledge=1.0, w_commercial=0.0))
    zk = (k - k.mean()) / k.std()
    np.testing.assert_allclose(
        got,
        zk / 2,
        err_msg=(
            "expected a constant column (public share) to contribute z = 0, and a zero-weight "
            "group (with a NaN) to be ignored"
        ),
    )
    const = score(_values(liveability=[0.5] * 4, reputation=[0.2] * 4), _only(w_benefit=1.0))
    np.testing.assert_array_equal(
        const, np.zeros(4), err_msg="expected all-constant columns to give a zero score, not NaN"
    )
    np.testing.assert_array_equal(
        score(vals | {"commercial_value_eur": np.ones(4)}, _only()),
        np.zeros(4),
        err_msg=(
            "expected all weights 0 to give a zero score (selection by application quality alone)"
        ),
    )


def test_score_ranks_by_the_weighted_criterion() -> None:
    vals = _values(
        collective_knowledge_person_months=[10.0, 500.0, 20.0, 30.0],
        knowledge_public_share=[0.1, 0.6, 0.2, 0.3],
        identity=[0.9, 0.1, 0.5, 0.5],
        channel_coverage=[0.5, 0.1, 0.3, 0.3],
        participation_rate=np.zeros(4),
    )
    vals["mobilisation_rate"] = np.array([0.1, 0.01, 0.05, 0.05])
    assert int(np.argmax(score(vals, _only(w_knowledge=1.0)))) == 1, (
        "expected the knowledge weight alone to rank the most knowledgeable district first"
    )
    assert int(np.argmax(score(vals, _only(w_structure=1.0)))) == 0, (
        "expected the structure weight alone to rank the best-connected district first"
    )


# ------------------------------------------------------------- run tables
@pytest.fixture(scope="module")
def run30():
    scen = load_scenario(
        "two_districts",
        [
            "scenario.months=30",
            "scenario.scale=0.02",
            "program.enabled=true",
            "partnerships.lambda0_per_year=30",
            "partnerships.rate_per_year=3",
        ],
    )
    return scen, run_scenario(scen, seed=4)


def test_criteria_rows_are_districts_times_completed_years(run30) -> None:
    scen, result = run30
    crit = result.criteria
    nd = len(scen.districts)
    assert calendar_month(11) == 9 and calendar_month(23) == 9, (
        "expected months 11 and 23 to be Septembers (program-year ends)"
    )
    assert len(crit) == nd * 2, (
        f"expected {nd} districts x 2 completed program years (30 months) = {2 * nd} rows, "
        f"got {len(crit)}"
    )
    assert list(crit.columns) == ["program_year", "district", *CRITERIA_COLUMNS], (
        f"expected columns program_year, district and the criteria, got {list(crit.columns)}"
    )
    assert sorted(crit.program_year.unique().tolist()) == [0, 1], "expected program years 0 and 1"
    assert crit.groupby("program_year").size().tolist() == [nd, nd], (
        "expected one row per district per program year"
    )
    assert np.isfinite(crit[list(CRITERIA_COLUMNS)].to_numpy()).all(), "expected finite criteria"


@pytest.mark.parametrize(("months", "years"), [(11, 0), (12, 1), (24, 2)])
def test_criteria_row_count_by_horizon(months: int, years: int) -> None:
    scen = load_scenario("two_districts", [f"scenario.months={months}", "scenario.scale=0.02"])
    crit = run_scenario(scen).criteria
    assert len(crit) == years * len(scen.districts), (
        f"expected {years} completed program years x 2 districts in {months} months, got "
        f"{len(crit)} rows"
    )
    assert list(crit.columns) == ["program_year", "district", *CRITERIA_COLUMNS], (
        "expected the criteria columns even for an empty table"
    )


def test_criteria_table_matches_district_table(run30) -> None:
    scen, result = run30
    d, crit = result.districts, result.criteria
    assert (
        d["innovations"].sum() > 5 and d["partners"].sum() > 0 and d["public_support_eur"].sum() > 0
    ), "expected innovations, partnerships and grants so the comparison is not of zeros"
    sums = ("commercial_value_eur", "external_eur", "public_support_eur")
    means = ("external_persons", "public_support_persons", "channel_coverage")
    year_end = (
        "collective_knowledge_person_months",
        "knowledge_public_share",
        "liveability",
        "reputation",
        "attractiveness",
        "identity",
    )
    for year in (0, 1):
        months = d[(d.month >= 12 * year) & (d.month <= 12 * year + 11)]
        sept = d[d.month == 12 * year + 11].set_index("district")
        assert calendar_month(12 * year + 11) == 9, "expected the year's last month to be September"
        row = crit[crit.program_year == year].set_index("district")
        g = months.groupby("district", observed=True)
        for col in sums:
            np.testing.assert_allclose(
                row[col],
                g[col].sum(),
                rtol=1e-12,
                err_msg=(
                    f"year {year}: expected {col} = sum of the district table over "
                    "October-September"
                ),
            )
        for col in means:
            np.testing.assert_allclose(
                row[col],
                g[col].mean(),
                rtol=1e-12,
                err_msg=f"year {year}: expected {col} = mean of the district table over the year",
            )
        np.testing.assert_allclose(
            row["mobilisation_rate"],
            g["participation_rate"].mean(),
            rtol=1e-12,
            err_msg=f"year {year}: expected mobilisation rate = mean participation rate",
        )
        comp = months["competence_inside_persons"] + months["competence_outside_persons"]
        np.testing.assert_allclose(
            row["competence_persons"],
            comp.groupby(months["district"], observed=True).mean(),
            rtol=1e-12,
            err_msg=f"year {year}: expected competence = mean inside + outside",
        )
        share = (months["competence_outside_persons"] / comp.where(comp > 0)).fillna(0.0)
        np.testing.assert_allclose(
            row["competence_outside_share"],
            share.groupby(months["district"], observed=True).mean(),
            rtol=1e-9,
            err_msg=f"year {year}: expected outside share = mean monthly share",
        )
        for col in year_end:
            np.testing.assert_allclose(
                row[col],
                sept[col],
                rtol=1e-12,
                err_msg=f"year {year}: expected {col} = the district table's September value",
            )
        np.testing.assert_allclose(
            row["housing_value_eur_m2"],
            sept["price_eur_m2"],
            rtol=1e-12,
            err_msg=f"year {year}: expected housing value = September price",
        )
        np.testing.assert_allclose(
            row["vitality_firms_per_1000"],
            sept["local_firms"] / (sept["population"] / 1000),
            rtol=1e-12,
            err_msg=f"year {year}: expected vitality = September firms per 1,000 residents",
        )


def test_criteria_parquet_written(run30, tmp_path) -> None:
    _, result = run30
    paths = write_results(result, tmp_path)
    assert tmp_path / "criteria.parquet" in paths, (
        f"expected criteria.parquet among the written files, got {[p.name for p in paths]}"
    )
    back = pd.read_parquet(tmp_path / "criteria.parquet")
    pd.testing.assert_frame_equal(back, result.criteria, check_categorical=False)


def test_per_capita_scoring_removes_size() -> None:
    p = Program()
    base = {k: np.array([1.0, 1.0]) for k in ("knowledge_public_share", "competence_outside_share")}
    values = {
        **base,
        "collective_knowledge_person_months": np.array([2000.0, 1000.0]),
        "competence_persons": np.array([200.0, 100.0]),
        "population": np.array([20000.0, 10000.0]),
    }
    knowledge_only = dataclasses.replace(
        p,
        w_commercial=0.0,
        w_external=0.0,
        w_support=0.0,
        w_benefit=0.0,
        w_structure=0.0,
        w_competence=0.0,
    )
    per_capita = score(values, knowledge_only)
    absolute = score(values, dataclasses.replace(knowledge_only, score_per_capita=False))
    np.testing.assert_allclose(
        per_capita,
        0.0,
        err_msg="expected districts with equal knowledge per resident to score equally per capita",
    )
    assert absolute[0] > absolute[1], (
        f"expected the larger district to score higher on absolute knowledge, got {absolute}"
    )
