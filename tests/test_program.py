"""The innovation-platform program year (MODEL 5.9) [S3]: each stage's effect in isolation.

Month 0 is October (:mod:`districtsim.calendar`): the call opens in month 0,
sparring runs in November-December (months 1-2), complementing in
December-January (2-3), selection and kick-off in February (4), benchmarking
in March-April (5-6), structuring in May (7), evaluation in June (8) and the
autumn start in September (11). The program stage runs first in a month, so
the state after ``model.step()`` for month t shows that month's stage.
Small scenarios (two_districts, or a city of creative districts written to
``tmp_path``) at scale 0.02 keep each test well under a second.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from districtsim.calendar import calendar_month
from districtsim.criteria import criteria, score
from districtsim.errors import ScenarioError
from districtsim.model import DistrictModel
from districtsim.program import Funder
from districtsim.run import run_scenario
from districtsim.scenario import SCENARIO_DIR, Scenario, load_scenario
from helpers import small_scenario, stepped

OCT, DEC, JAN, FEB, APR, MAY, JUN, SEP = 0, 2, 3, 4, 6, 7, 8, 11


def test_calendar_of_the_stages() -> None:
    assert [calendar_month(t) for t in (OCT, DEC, JAN, FEB, APR, MAY, JUN, SEP)] == [
        10,
        12,
        1,
        2,
        4,
        5,
        6,
        9,
    ], "expected month 0 to be October and the stage months to fall as MODEL 5.9 says"


def city(tmp_path: Path, districts: list[dict], months: int, *overrides: str) -> Scenario:
    """Write a scenario of districts in a row and load it.

    Each district's keys default to two_districts' creative district.
    """
    lines = [
        "[scenario]",
        'name = "test_city"',
        f"months = {months}",
        "scale = 0.02",
        "seed = 1",
        "",
    ]
    names = [d.get("name", f"D{i}") for i, d in enumerate(districts)]
    for i, spec in enumerate(districts):
        d = {
            "population": 20000,
            "dwellings": 10850,
            "share_owner": 0.45,
            "share_social": 0.2,
            "price_eur_m2": 4500,
            "mode": "creative",
            "channels": ["paper", "website"],
            "meeting_places": 1,
            "amenity": 0.5,
        } | spec
        d["dwellings"] = max(d["dwellings"], int(d["population"] / 1.84))
        nb = [names[j] for j in (i - 1, i + 1) if 0 <= j < len(districts)]
        lines += ["[[districts]]", f'name = "{names[i]}"', f"x_km = {2.0 * i}", "y_km = 0.0"]
        for k in (
            "population",
            "dwellings",
            "share_owner",
            "share_social",
            "price_eur_m2",
            "meeting_places",
            "amenity",
        ):
            lines.append(f"{k} = {d[k]}")
        lines += [
            f'mode = "{d["mode"]}"',
            "channels = [" + ", ".join(f'"{c}"' for c in d["channels"]) + "]",
            "neighbours = [" + ", ".join(f'"{n}"' for n in nb) + "]",
            "",
        ]
    path = tmp_path / "city.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return load_scenario(str(path), ["program.enabled=true", *overrides])


def events_of(model: DistrictModel, kind: str, month: int | None = None) -> list[dict]:
    return [
        e for e in model.event_log if e["event"] == kind and (month is None or e["month"] == month)
    ]


# ------------------------------------------------------------------ funders
def test_funders_are_mesa_agents_sharing_the_budget() -> None:
    scen = small_scenario(
        1,
        "program.enabled=true",
        "program.budget_eur_per_year=1200000",
        "program.municipality_share=0.5",
        "program.state_share=0.2",
    )
    model = DistrictModel(scen)
    funders = list(model.agents_by_type[Funder])
    assert sorted(f.kind for f in funders) == ["innovation_fund", "municipality", "state_agency"], (
        f"expected one funder of each kind, got {[f.kind for f in funders]}"
    )
    budgets = {f.kind: f.budget_eur_per_year for f in funders}
    assert sum(budgets.values()) == pytest.approx(1_200_000), (
        f"expected funders' budgets to sum to the program budget 1,200,000 EUR, got {budgets}"
    )
    assert budgets == pytest.approx(
        {"municipality": 600_000, "state_agency": 240_000, "innovation_fund": 360_000}
    ), f"expected budget shares 0.5 / 0.2 / rest, got {budgets}"
    assert all(f.staff_persons >= 0 for f in funders), "expected non-negative staff"
    weighted = DistrictModel(
        small_scenario(1, "program.enabled=true", "program.w_benefit=3", "program.w_commercial=0")
    )
    for f in weighted.agents_by_type[Funder]:
        assert (
            f.criteria_weights["w_benefit"] == 3
            and f.criteria_weights["w_commercial"] == 0
            and len(f.criteria_weights) == 7
        ), (
            "expected each funder to hold the call's seven criteria weights, got "
            f"{f.criteria_weights}"
        )
    off = DistrictModel(
        load_scenario("two_districts", ["scenario.months=1", "scenario.scale=0.02"])
    )
    assert len(off.agents_by_type.get(Funder, [])) == 0, (
        "expected no funders when the program is not enabled"
    )


def test_funder_budgets_never_exceed_the_program_budget() -> None:
    # municipality_share and state_share are each 0..1; together they must not exceed 1 (the
    # innovation fund pays the rest).
    try:
        scen = small_scenario(
            1, "program.enabled=true", "program.municipality_share=0.7", "program.state_share=0.6"
        )
    except ScenarioError as exc:
        assert "share" in exc.key, f"expected the error to name a budget share, got {exc}"
        return
    total = sum(f.budget_eur_per_year for f in DistrictModel(scen).agents_by_type[Funder])
    assert total == pytest.approx(scen.params.program.budget_eur_per_year), (
        "expected funders to co-finance exactly the program budget "
        f"{scen.params.program.budget_eur_per_year:g} EUR (or a ScenarioError), got {total:g}"
    )


# ------------------------------------------------------------- validation
@pytest.mark.parametrize("text", ["equal", '"equal"', "competitive", '"competitive"'])
def test_allocation_accepts_its_choices(text: str) -> None:
    scen = small_scenario(1, "program.enabled=true", f"program.allocation={text}")
    assert scen.params.program.allocation == text.strip('"'), (
        f"expected allocation {text} to be accepted"
    )


@pytest.mark.parametrize("text", ["lottery", '"Equal"', "3", "true", '""'])
def test_allocation_rejects_other_values(text: str) -> None:
    with pytest.raises(ScenarioError) as info:
        small_scenario(1, "program.enabled=true", f"program.allocation={text}")
    err = info.value
    assert err.key == "program.allocation", (
        f"expected the error to name program.allocation, got {err.key!r}"
    )
    assert "competitive" in err.expected and "equal" in err.expected, (
        f"expected the message to list the choices competitive, equal; got {err}"
    )


def test_allocation_checked_in_a_scenario_file(tmp_path: Path) -> None:
    text = (SCENARIO_DIR / "two_districts.toml").read_text(encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(text + '\n[program]\nenabled = true\nallocation = "by_lot"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert info.value.key == "program.allocation" and info.value.file == str(path), (
        f"expected an error naming {path} and program.allocation, got {info.value}"
    )
    path.write_text(text + '\n[program]\nenabled = true\nallocation = "equal"\n', encoding="utf-8")
    assert load_scenario(str(path)).params.program.allocation == "equal", (
        "expected allocation = 'equal' to load from a file"
    )


# --------------------------------------------------------------- the call
def test_call_in_october_creative_districts_apply() -> None:
    model = stepped(small_scenario(2, "program.enabled=true"), 1)
    apps = events_of(model, "application", OCT)
    assert [e["district"] for e in apps] == ["Creative"], (
        "expected only the creative district to apply in the October call (traditional ones "
        f"seldom do), got {apps}"
    )
    assert model.program.applied.tolist() == [False, True], "expected applied = [False, True]"
    q = model.program.quality
    assert q[0] == 0.0 and 0.0 < q[1] < 1.0, (
        f"expected an application quality in (0, 1) for the applicant and 0 otherwise, got {q}"
    )
    assert apps[0]["value"] == pytest.approx(q[1]), (
        "expected the application event to carry the quality"
    )


def test_no_capacity_no_application() -> None:
    model = stepped(
        small_scenario(12, "program.enabled=true", "program.apply_volunteers_per_10k=100000"), 12
    )
    assert not events_of(model, "application") and not events_of(model, "selection"), (
        "expected no applications and no selection when no district has the volunteers"
    )
    assert (
        not model.program.is_platform.any() and model.recorder.data["public_support_eur"].sum() == 0
    ), "expected no platforms and no grants"


# ------------------------------------------------------ sparring, complementing
def _quality_path(scen: Scenario, seed: int, months: int = 5) -> tuple[np.ndarray, np.ndarray]:
    model = DistrictModel(scen, seed=seed)
    q, applied = [], []
    for _ in range(months):
        model.step()
        q.append(model.program.quality.copy())
        applied.append(model.program.applied.copy())
    return np.array(q), np.array(applied)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sparring_raises_application_quality(seed: int) -> None:
    gain = 0.5
    on, app_on = _quality_path(
        small_scenario(
            5,
            "program.enabled=true",
            f"program.sparring_gain={gain}",
            "program.complementing=false",
        ),
        seed,
    )
    off, app_off = _quality_path(
        small_scenario(
            5, "program.enabled=true", "program.sparring=false", "program.complementing=false"
        ),
        seed,
    )
    np.testing.assert_array_equal(
        app_on[:FEB],
        app_off[:FEB],
        err_msg="expected the same applicants with and without sparring (same seed)",
    )
    np.testing.assert_array_equal(
        on[OCT],
        off[OCT],
        err_msg="expected the same October quality draws with and without sparring",
    )
    q0 = on[OCT][1]
    np.testing.assert_allclose(
        off[DEC][1],
        q0,
        err_msg="expected quality unchanged through December without sparring or complementing",
    )
    np.testing.assert_allclose(
        on[DEC][1],
        1 - (1 - q0) * (1 - gain / 2) ** 2,
        err_msg="expected sparring in November and December: q += gain/2 * (1 - q) each month",
    )
    assert on[DEC][1] > off[DEC][1], (
        f"expected higher quality after December with sparring: {on[DEC][1]:.3f} vs "
        f"{off[DEC][1]:.3f}"
    )
    assert on[DEC][0] == off[DEC][0] == 0.0, "expected sparring to leave non-applicants at 0"


@pytest.mark.parametrize("seed", [1, 2])
def test_complementing_raises_application_quality(seed: int) -> None:
    gain = 0.4
    on, app_on = _quality_path(
        small_scenario(
            5,
            "program.enabled=true",
            "program.sparring=false",
            f"program.complementing_gain={gain}",
        ),
        seed,
    )
    off, app_off = _quality_path(
        small_scenario(
            5, "program.enabled=true", "program.sparring=false", "program.complementing=false"
        ),
        seed,
    )
    np.testing.assert_array_equal(
        app_on[:FEB],
        app_off[:FEB],
        err_msg="expected the same applicants with and without complementing",
    )
    q0 = on[OCT][1]
    np.testing.assert_allclose(on[1][1], q0, err_msg="expected no complementing in November")
    np.testing.assert_allclose(
        on[JAN][1],
        1 - (1 - q0) * (1 - gain / 2) ** 2,
        err_msg="expected complementing in December and January: q += gain/2 * (1 - q)",
    )
    assert on[JAN][1] > off[JAN][1], "expected higher quality after January with complementing"
    both, _ = _quality_path(
        small_scenario(
            5,
            "program.enabled=true",
            "program.sparring_gain=0.5",
            f"program.complementing_gain={gain}",
        ),
        seed,
    )
    np.testing.assert_allclose(
        both[JAN][1],
        1 - (1 - q0) * 0.75**2 * (1 - gain / 2) ** 2,
        err_msg="expected sparring and complementing to compound",
    )


def test_quality_stays_in_unit_interval_for_any_accepted_gain() -> None:
    with pytest.raises(ScenarioError):
        small_scenario(5, "program.enabled=true", "program.sparring_gain=3.0")
    q, _ = _quality_path(
        small_scenario(
            5, "program.enabled=true", "program.sparring_gain=1.0", "program.complementing_gain=1.0"
        ),
        seed=3,
    )
    assert np.all((q >= 0) & (q <= 1)), (
        f"expected application quality within 0..1 for the largest accepted gains, got {q[:, 1]}"
    )


# -------------------------------------------------------------- selection
SIX = [{"population": p} for p in (30000, 26000, 22000, 18000, 14000, 10000)]


def test_selection_respects_the_budget(tmp_path: Path) -> None:
    budget, grant = 600_000, 250_000
    scen = city(
        tmp_path,
        SIX,
        40,
        f"program.budget_eur_per_year={budget}",
        f"program.grant_eur_per_year={grant}",
        "program.continuation_probability=0.5",
        "program.apply_volunteers_per_10k=0",
    )
    result = run_scenario(scen, seed=2)
    ev = result.events
    first = ev[(ev.month == FEB) & (ev.event == "selection")]
    assert len(ev[(ev.month == OCT) & (ev.event == "application")]) == 6, (
        "expected all six creative districts to apply (the budget must bind)"
    )
    assert len(first) == budget // grant == 2, (
        f"expected budget // grant = 2 platforms in the first selection, got {len(first)}"
    )
    assert first["value"].sum() <= budget, (
        f"expected grants within the budget, got {first['value'].sum():g}"
    )
    assert (
        len(ev[(ev.month == FEB) & (ev.event == "application") & (ev.detail == "not selected")])
        == 4
    ), "expected the four other applicants to be 'not selected'"
    d = result.districts
    per_month = d.groupby("month")
    grants = per_month["public_support_eur"].sum() * 12
    assert (grants <= budget + 1e-6).all(), (
        f"expected the grants running in any month to stay within the budget, max {grants.max():g}"
    )
    assert (per_month["is_platform"].sum() <= budget // grant).all(), (
        "expected at most budget // grant platforms in any month"
    )
    later = ev[(ev.event == "selection") & (ev.month > FEB)]
    assert len(later) > 0, (
        "expected a second selection (year 1) so continued grants and new grants share the budget"
    )


def test_selection_follows_the_weights(tmp_path: Path) -> None:
    """The knowledge weight alone selects by knowledge; the quality weight alone by quality.

    D0 is large with a website and a social-media group (most knowledge, higher public share);
    D1, D2 are small, paper only. The funder scores knowledge per 10,000 residents
    (``score_per_capita``, on by default), so D0 does not always lead: measured at the first
    issue-12 defaults, D0 has the highest knowledge score in 18 of seeds 1-20, D1 in seeds 6 and 14
    (seed 6: 147 person-months for 38,050 residents against D1's 75 for 11,550). The expected
    winner is therefore computed here from the recorded knowledge, residents and public share.
    """
    districts = [
        {"population": 40000, "channels": ["paper", "website", "social_media"]},
        {"population": 10000, "channels": ["paper"]},
        {"population": 10000, "channels": ["paper"]},
    ]
    one_grant = [
        "program.budget_eur_per_year=250000",
        "program.grant_eur_per_year=250000",
        "program.apply_volunteers_per_10k=0",
    ]
    zero = [
        f"program.{w}=0"
        for w in (
            "w_commercial",
            "w_external",
            "w_competence",
            "w_support",
            "w_benefit",
            "w_structure",
        )
    ]
    knowledge_only = city(
        tmp_path,
        districts,
        5,
        *one_grant,
        *zero,
        "program.w_knowledge=1",
        "program.quality_weight=0",
    )
    quality_only = city(
        tmp_path,
        districts,
        5,
        *one_grant,
        *zero,
        "program.w_knowledge=0",
        "program.quality_weight=1",
    )
    disagree = 0
    for seed in range(1, 7):
        m = stepped(knowledge_only, FEB + 1, seed)
        selected = [e["district"] for e in events_of(m, "selection", FEB)]
        applied = [e["district"] for e in events_of(m, "application", OCT)]
        assert len(selected) == 1 and len(applied) == 3, (
            f"seed {seed}: expected 3 applicants and one grant, got {applied} -> {selected}"
        )
        # The knowledge criterion by hand: the mean z-score (population SD) of knowledge per
        # 10,000 residents and of its public share, both as recorded in January (month FEB - 1).
        rec = m.recorder.data
        k = rec["collective_knowledge_person_months"][FEB - 1]
        per_10k = k / (rec["population"][FEB - 1] / 1e4)
        share = rec["knowledge_public_share"][FEB - 1]
        z = (per_10k - per_10k.mean()) / per_10k.std() + (share - share.mean()) / share.std()
        most = m.names[int(np.argmax(z))]
        assert selected == [most], (
            f"seed {seed}: expected the knowledge weight alone to select the district with most "
            f"knowledge per 10,000 residents and public share (K = {k.round()}, per 10,000 "
            f"{per_10k.round(1)}, public share {share.round(3)}: {most}), got {selected}"
        )
        evidence = score(criteria(rec, slice(0, FEB)), knowledge_only.params.program)
        assert m.names[int(np.argmax(evidence))] == most, (
            "expected the funder's evidence score from the recorded months before February to "
            f"rank {most} first"
        )
        q = stepped(quality_only, FEB, seed).program.quality
        mq = stepped(quality_only, FEB + 1, seed)
        chosen = [e["district"] for e in events_of(mq, "selection", FEB)]
        assert chosen == [mq.names[int(np.argmax(q))]], (
            f"seed {seed}: expected all criteria weights 0 to select by application quality "
            f"{q.round(3)}, got {chosen}"
        )
        disagree += chosen != selected
    assert disagree >= 1, (
        "expected at least one seed where quality and knowledge pick different districts (so "
        "the weights decide)"
    )


def test_equal_allocation_gives_every_applicant_the_same(tmp_path: Path) -> None:
    budget = 1_000_000
    scen = city(
        tmp_path,
        SIX[:4],
        5,
        "program.allocation=equal",
        f"program.budget_eur_per_year={budget}",
        "program.apply_volunteers_per_10k=0",
    )
    m = stepped(scen, FEB + 1, seed=3)
    apps = events_of(m, "application", OCT)
    sel = events_of(m, "selection", FEB)
    assert len(apps) == len(sel) == 4, (
        f"expected every one of the 4 applicants selected under equal allocation, got {len(sel)}"
    )
    for e in sel:
        assert e["detail"] == "equal" and e["value"] == pytest.approx(budget / 4), (
            f"expected each applicant to get budget / n = {budget / 4:g} EUR, got {e}"
        )
    np.testing.assert_allclose(
        m.program.grant_eur,
        budget / 4,
        err_msg="expected grant_eur = budget / n for every platform",
    )
    p = scen.params.program
    np.testing.assert_allclose(
        m.program.staff_persons,
        p.staff_persons_per_platform * (budget / 4) / p.grant_eur_per_year,
        err_msg="expected staff in proportion to the grant",
    )
    np.testing.assert_allclose(
        m.program.grant_factor,
        1 + p.innovation_multiplier_per_grant * (budget / 4) / p.grant_eur_per_year,
        err_msg="expected the funding multiplier 1 + m * grant / grant_ref",
    )


# ----------------------------------------------------- kick-off: matchmaking
MATCHED = re.compile(r"\(matchmaking\)$")


@pytest.mark.parametrize("partners", [1, 2])
def test_matchmaking_gives_each_new_platform_partners(tmp_path: Path, partners: int) -> None:
    scen = city(
        tmp_path,
        SIX[:3],
        5,
        f"program.matchmaking_partners={partners}",
        "partnerships.rate_per_year=0",
        "program.apply_volunteers_per_10k=0",
    )
    m = stepped(scen, FEB + 1, seed=1)
    platforms = {e["district"] for e in events_of(m, "selection", FEB)}
    assert len(platforms) == 3, "expected all three applicants selected"
    matched = [e for e in events_of(m, "partnership") if MATCHED.search(e["detail"])]
    assert all(e["month"] == FEB for e in matched), (
        "expected matchmaking only at the February kick-off"
    )
    for d in platforms:
        n = sum(e["district"] == d for e in matched)
        assert n == partners, (
            f"expected {partners} matchmaking partnership(s) for new platform {d}, got {n}"
        )
    np.testing.assert_array_equal(
        m.districts.partners,
        partners,
        err_msg="expected the matched partnerships to be running after the kick-off",
    )


def test_no_matchmaking_when_switched_off(tmp_path: Path) -> None:
    scen = city(
        tmp_path,
        SIX[:3],
        5,
        "program.matchmaking=false",
        "partnerships.rate_per_year=0",
        "program.apply_volunteers_per_10k=0",
    )
    m = stepped(scen, FEB + 1, seed=1)
    assert len(events_of(m, "selection", FEB)) == 3, "expected three platforms"
    assert not events_of(m, "partnership"), (
        "expected no partnerships at all with matchmaking off and rate 0"
    )


# -------------------------------------------------------------- benchmarking
def test_benchmark_closes_part_of_the_gap_to_the_best() -> None:
    m = DistrictModel(small_scenario(1, "program.enabled=true"))
    m.districts.k_public = np.array([60.0, 300.0])
    m.districts.k_private = np.array([40.0, 100.0])
    m.program.is_platform[:] = True
    m.program._benchmark(0.2)
    total = m.districts.k_public + m.districts.k_private
    np.testing.assert_allclose(
        total,
        [100 + 0.2 * 300, 400],
        err_msg=(
            "expected each platform to close rate * gap to the best platform, the best unchanged"
        ),
    )
    np.testing.assert_allclose(
        m.districts.k_public / total,
        [0.6, 0.75],
        err_msg="expected the public share of knowledge kept",
    )
    m.program.is_platform[:] = [True, False]
    before = m.districts.k_public + m.districts.k_private
    m.program._benchmark(0.2)
    np.testing.assert_array_equal(
        m.districts.k_public + m.districts.k_private,
        before,
        err_msg="expected no benchmarking with fewer than two platforms",
    )


def test_benchmarking_moves_platforms_toward_the_best(tmp_path: Path) -> None:
    districts = [
        {"population": 40000, "channels": ["paper", "website", "social_media"]},
        {"population": 15000},
        {"population": 10000},
        {"population": 20000, "mode": "traditional"},
    ]
    runs = {}
    for flag in ("true", "false"):
        scen = city(
            tmp_path, districts, 8, f"program.benchmarking={flag}", "program.benchmarking_rate=0.5"
        )
        model = DistrictModel(scen, seed=2)
        k = []
        for _ in range(APR + 1):
            model.step()
            k.append(model.districts.k_public + model.districts.k_private)
        runs[flag] = (np.array(k), model.program.is_platform.copy())
    (k_on, plat), (k_off, plat_off) = runs["true"], runs["false"]
    np.testing.assert_array_equal(
        plat, plat_off, err_msg="expected the same platforms with and without benchmarking"
    )
    assert plat.tolist() == [True, True, True, False], (
        f"expected the three creative districts to be platforms, got {plat}"
    )
    np.testing.assert_allclose(
        k_on[: FEB + 1],
        k_off[: FEB + 1],
        rtol=1e-12,
        err_msg="expected identical knowledge before March",
    )
    best = int(np.argmax(k_on[FEB][plat]))
    others = [i for i in np.flatnonzero(plat) if i != best]
    gap_on = k_on[APR, best] - k_on[APR, others]
    gap_off = k_off[APR, best] - k_off[APR, others]
    assert np.all(gap_off > 0), "expected a knowledge gap to the best platform"
    assert np.all(gap_on < 0.8 * gap_off), (
        "expected benchmarking (rate 0.5) to shrink the gap to the best platform in "
        f"March-April: {gap_on.round()} vs {gap_off.round()} without"
    )
    np.testing.assert_allclose(
        k_on[APR, best],
        k_off[APR, best],
        rtol=0.02,
        err_msg="expected the best platform's knowledge (about) unchanged",
    )
    np.testing.assert_allclose(
        k_on[APR, 3],
        k_off[APR, 3],
        rtol=0.02,
        err_msg="expected a non-platform's knowledge (about) unchanged",
    )


# ---------------------------------------------------- structuring, evaluation
@pytest.mark.parametrize("structuring", [True, False])
def test_structuring_raises_efficiency_in_may(structuring: bool) -> None:
    gain = 0.4
    scen = small_scenario(
        12,
        "program.enabled=true",
        f"program.structuring={'true' if structuring else 'false'}",
        f"program.structuring_gain={gain}",
        "program.continuation_probability=0",
        "program.evaluation=false",
    )
    model = DistrictModel(scen, seed=1)
    eff = []
    for _ in range(12):
        model.step()
        eff.append(model.program.efficiency.copy())
    eff = np.array(eff)
    np.testing.assert_array_equal(eff[:MAY], 1.0, err_msg="expected efficiency 1 before May")
    np.testing.assert_array_equal(
        eff[MAY:SEP, 0], 1.0, err_msg="expected the traditional non-platform to keep efficiency 1"
    )
    want = 1 + gain if structuring else 1.0
    np.testing.assert_allclose(
        eff[MAY:SEP, 1],
        want,
        err_msg=f"expected the platform's efficiency {want} from May (structuring={structuring})",
    )
    assert eff[SEP, 1] == pytest.approx(want), (
        "expected the efficiency kept in the month of the lapse (it fades from the next month, P4)"
    )


@pytest.mark.parametrize("half_life", [0.0, 1.0])
def test_legacy_and_efficiency_fade_with_the_half_life_after_a_lapse(half_life: float) -> None:
    gain = 0.4
    scen = small_scenario(
        24,
        "program.enabled=true",
        f"program.structuring_gain={gain}",
        "program.continuation_probability=0",
        "program.evaluation=false",
        f"program.legacy_half_life_years={half_life}",
        "program.last_call_year=0",
    )
    model = DistrictModel(scen, seed=1)
    legacy, eff = [], []
    for _ in range(24):
        model.step()
        legacy.append(model.program.legacy[1])
        eff.append(model.program.efficiency[1])
    legacy, eff = np.array(legacy), np.array(eff)
    assert (
        model.recorder.data["is_platform"][SEP - 1, 1] == 1
        and model.recorder.data["is_platform"][SEP, 1] == 0
    ), "expected the creative district a platform until the September lapse (test must bite)"
    np.testing.assert_array_equal(
        legacy[FEB : SEP + 1],
        1.0,
        err_msg="expected standing 1 while a platform and in the month of the lapse",
    )
    keep = 0.0 if half_life == 0 else 0.5 ** (1 / (12 * half_life))
    months = np.arange(1, 24 - SEP)
    np.testing.assert_allclose(
        legacy[SEP + 1 :],
        keep**months,
        err_msg=(
            f"expected the standing to fade as (1 - delta)^months with half-life {half_life} years"
        ),
    )
    np.testing.assert_allclose(
        eff[SEP + 1 :] - 1.0,
        gain * keep**months,
        err_msg="expected the structuring efficiency's gain to fade the same way",
    )
    if half_life > 0:
        assert legacy[SEP + 12] == pytest.approx(0.5), (
            "expected half the standing left a year after the lapse"
        )


def test_evaluation_scores_platforms_in_june() -> None:
    scen = small_scenario(24, "program.enabled=true", "partnerships.lambda0_per_year=8")
    model = stepped(scen, 24, seed=3)
    evals = events_of(model, "evaluation")
    assert {e["month"] for e in evals} <= {JUN, JUN + 12} and evals, (
        f"expected evaluation events only in June, got months {sorted({e['month'] for e in evals})}"
    )
    data = model.recorder.data
    ref = scen.params.identity.participation_ref
    for e in evals:
        t, d = e["month"], model.names.index(e["district"])
        assert data["is_platform"][t, d] == 1, "expected only platforms evaluated"
        year_start = t - JUN
        innov = data["innovations"][
            year_start:t, d
        ].sum()  # October to May: June's innovations come after the stage
        want = 0.5 * min(innov / 2.0, 1.0) + 0.5 * min(
            data["participation_rate"][t - 1, d] / ref, 1.0
        )
        assert 0.0 <= e["value"] <= 1.0 and e["value"] == pytest.approx(want), (
            "expected score 0.5 min(innovations/2, 1) + 0.5 min(participation/ref, 1) = "
            f"{want:.4f}, got {e['value']:.4f}"
        )
    off = stepped(
        small_scenario(12, "program.enabled=true", "program.evaluation=false"), 12, seed=3
    )
    assert not events_of(off, "evaluation"), "expected no evaluation events when evaluation is off"


# ------------------------------------------------------------ autumn start
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_status_lapses_in_september_without_continuation(tmp_path: Path, seed: int) -> None:
    scen = city(
        tmp_path, SIX[:4], 14, "program.continuation_probability=0", "program.evaluation=false"
    )
    m = DistrictModel(scen, seed=seed)
    for _ in range(SEP + 1):
        m.step()
    platforms = {e["district"] for e in events_of(m, "selection", FEB)}
    lapses = events_of(m, "platform_lapse")
    assert platforms and {e["district"] for e in lapses} == platforms, (
        f"expected every platform ({sorted(platforms)}) to lapse, got {lapses}"
    )
    assert {e["month"] for e in lapses} == {SEP}, (
        "expected the lapse in the first September (month 11)"
    )
    data = m.recorder.data
    assert data["is_platform"][SEP].sum() == 0 and data["public_support_eur"][SEP].sum() == 0, (
        "expected no status and no grant from September on"
    )
    assert data["is_platform"][SEP - 1].sum() == len(platforms), (
        "expected the status held through August"
    )
    idx = [m.names.index(d) for d in platforms]
    np.testing.assert_array_equal(
        m.program.legacy[idx],
        1.0,
        err_msg=(
            "expected the platform standing kept in the month of the lapse (it fades from the "
            "next month)"
        ),
    )
    assert all(m.districts.mode[m.names.index(d)] != "innovation_platform" for d in platforms), (
        "expected the innovation_platform mode to end with the status"
    )
    assert not events_of(m, "continuation"), "expected no continuation events"
    m.step()
    assert (m.program.legacy[idx] < 1.0).all(), (
        "expected the standing of lapsed platforms to fade from the month after the lapse"
    )
    assert {e["district"] for e in events_of(m, "application", SEP + 1)} >= platforms, (
        "expected lapsed platforms to apply again in October"
    )


def test_status_continues_with_certain_continuation(tmp_path: Path) -> None:
    scen = city(
        tmp_path, SIX[:4], 14, "program.continuation_probability=1", "program.evaluation=false"
    )
    m = stepped(scen, SEP + 2, seed=1)
    platforms = {e["district"] for e in events_of(m, "selection", FEB)}
    assert platforms, "expected platforms"
    assert not events_of(m, "platform_lapse"), "expected no lapse with continuation probability 1"
    assert {e["district"] for e in events_of(m, "continuation", SEP)} == platforms, (
        "expected a continuation event for every platform in September"
    )
    assert m.recorder.data["is_platform"][SEP].sum() == len(platforms), (
        "expected status kept through September"
    )
    assert not {e["district"] for e in events_of(m, "application", SEP + 1)} & platforms, (
        "expected continuing platforms not to apply again"
    )


# -------------------------------------------------------------- mode labels
def test_platform_label_requires_creative_mode() -> None:
    scen = small_scenario(
        24, "program.enabled=true", "program.continuation_probability=1", "program.evaluation=false"
    )
    m = stepped(scen, FEB + 1, seed=1)
    assert m.districts.mode == ["traditional", "innovation_platform"], (
        "expected the selected creative district to become an innovation platform, got "
        f"{m.districts.mode}"
    )
    m.program.is_platform[0] = True  # platform status without a creative association
    for _ in range(3):
        m.step()
    assert m.districts.mode[0] == "traditional", (
        "expected a traditional district with platform status to stay 'traditional', got "
        f"{m.districts.mode[0]}"
    )
    result = run_scenario(scen, seed=2)
    d = result.districts
    platform_rows = d[d["mode"] == "innovation_platform"]
    assert len(platform_rows) > 0, "expected innovation_platform months"
    assert (platform_rows["association_orientation"] >= scen.params.associations.mode_cut).all(), (
        "expected every innovation_platform month to have a creative association"
    )
    trans = result.events[result.events.event == "mode_transition"]
    assert "creative->innovation_platform" in trans["detail"].tolist(), (
        "expected the creative -> innovation_platform transition logged"
    )


def test_innovation_record_makes_only_creative_districts_platforms() -> None:
    scen = load_scenario(
        "two_districts",
        [
            "scenario.months=36",
            "scenario.scale=0.02",
            "partnerships.lambda0_per_year=200",
            "partnerships.mode_multiplier_traditional=5",
        ],
    )
    result = run_scenario(scen, seed=1)
    d = result.districts
    trad = d[d.district == "Traditional"]
    assert trad["innovations"].sum() >= scen.params.partnerships.platform_record_innovations, (
        "expected the traditional district to have a record of innovations (test must bite)"
    )
    assert (trad["mode"] != "innovation_platform").all(), (
        "expected a traditional district never labelled innovation_platform, whatever its record"
    )
    cre = d[d.district == "Creative"]
    assert (cre["is_platform"] == 0).all(), "expected no platform status without the program"
    assert (cre["mode"] == "innovation_platform").any(), (
        "expected a creative district with a record of innovations labelled "
        "innovation_platform (MODEL 5.11)"
    )


def test_program_disabled_has_no_program_state() -> None:
    scen = load_scenario("two_districts", ["scenario.months=14", "scenario.scale=0.02"])
    result = run_scenario(scen, seed=1)
    kinds = set(result.events["event"])
    assert not kinds & {
        "application",
        "selection",
        "evaluation",
        "continuation",
        "platform_lapse",
    }, f"expected no program events without the program, got {kinds}"
    d = result.districts
    assert (
        (d["is_platform"] == 0).all()
        and (d["public_support_eur"] == 0).all()
        and (d["public_support_persons"] == 0).all()
    ), "expected no status, grants or staff without the program"


def test_no_call_after_last_call_year() -> None:
    base = (
        "program.apply_volunteers_per_10k=0",
        "program.apply_orientation=0",
        "program.continuation_probability=0",
        "program.evaluation=false",
    )
    runs = {
        last: run_scenario(
            small_scenario(26, "program.enabled=true", *base, f"program.last_call_year={last}"),
            seed=4,
        ).events
        for last in (0, 5)
    }
    second_call = {
        last: ((ev.month == 12) & (ev.event == "application")).sum() for last, ev in runs.items()
    }
    assert second_call[5] > 0, (
        f"expected applications in the second October while calls run, got {second_call[5]}"
    )
    assert second_call[0] == 0, (
        f"expected no applications after last_call_year 0, got {second_call[0]}"
    )
    first_call = {
        last: ((ev.month == 0) & (ev.event == "application")).sum() for last, ev in runs.items()
    }
    assert first_call[0] == first_call[5] > 0, (
        f"expected the first call to be unaffected, got {first_call}"
    )
