"""Associations of each kind (MODEL 2, 5.3).

Membership, volunteers, channels, events, drift, applications.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from districtsim import communication, mobilisation, reputation
from districtsim.errors import ScenarioError
from districtsim.model import DistrictModel
from districtsim.orgs import associations
from districtsim.orgs.associations import ELIGIBLE_TENURES, KINDS, Association
from districtsim.residents import PRIVATE
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario
from helpers import small_scenario, stepped


def with_kinds(scen, kinds_by_district: dict[str, tuple[str, ...]]):
    """Return the scenario with the named districts' association kinds replaced."""
    districts = tuple(
        dataclasses.replace(d, associations=kinds_by_district[d.name])
        if d.name in kinds_by_district
        else d
        for d in scen.districts
    )
    return dataclasses.replace(scen, districts=districts)


def test_default_kinds_lead_everywhere_developer_network_only_in_creative_districts() -> None:
    scen = load_scenario("helsinki", ["scenario.scale=0.01", "scenario.months=1"])
    model = DistrictModel(scen, seed=1)
    for d, spec in enumerate(scen.districts):
        kinds = [x.kind for x in model.all_associations if x.district == d]
        want = ["district_association", "housing_company", "school"] + (
            ["developer_network"] if spec.mode == "creative" else []
        )
        assert kinds == want, (
            f"{spec.name} ({spec.mode}): expected associations {want} in activation order, "
            f"got {kinds}"
        )
    assert [x.district for x in model.associations] == list(range(len(scen.districts))), (
        "expected model.associations to hold one lead per district, in district order"
    )
    assert all(isinstance(x, Association) for x in model.agents_by_type[Association]), (
        "expected associations to be Mesa agents"
    )
    assert len(model.agents_by_type[Association]) == len(model.all_associations)


def test_switches_and_scenario_key_choose_the_kinds() -> None:
    model = DistrictModel(
        small_scenario(
            1,
            "associations.housing_company_everywhere=false",
            "associations.school_everywhere=false",
            "associations.developer_network_in_creative=false",
            scale=0.05,
        ),
        seed=1,
    )
    assert [x.kind for x in model.all_associations] == [
        "district_association",
        "district_association",
    ], "expected only the leads with every kind switched off"
    scen = with_kinds(
        small_scenario(1, scale=0.05),
        {"Traditional": ("district_association", "developer_network")},
    )
    model = DistrictModel(scen, seed=1)
    assert [x.kind for x in model.all_associations if x.district == 0] == [
        "district_association",
        "developer_network",
    ], "expected the scenario's list for Traditional"


def test_scenario_rejects_an_unknown_association_kind(tmp_path) -> None:
    text = (
        Path(load_scenario("two_districts").source)
        .read_text()
        .replace('mode = "traditional"', 'mode = "traditional"\nassociations = ["choir"]', 1)
    )
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    msg = str(err.value)
    assert "districts[0].associations" in msg and "choir" in msg and "housing_company" in msg, (
        f"expected the key, the bad value and the valid kinds in the error, got: {msg}"
    )


def test_members_per_kind_add_up_and_housing_companies_take_no_private_renters() -> None:
    model = stepped(small_scenario(37, scale=0.05), 36, seed=3)
    r = model.residents
    d = model.recorder.data
    # Member counts are taken in the associations phase (before the month's moves): replay
    # month 36 up to that phase.
    t = model.month
    for phase in (
        model.program.step,
        lambda t: reputation.apply_shocks(model, t),
        lambda t: communication.step(model, t),
        lambda t: mobilisation.step(model, t),
        lambda t: associations.step(model, t),
    ):
        phase(t)
    total = sum(d[f"members_{k}_persons"][:36] for k in KINDS)
    np.testing.assert_allclose(
        total,
        d["members_persons"][:36],
        err_msg="expected members_persons = the sum of the members per kind",
    )
    slots = np.bincount([x.district for x in model.all_associations], minlength=model.n_districts)
    assert ((r.member_of >= -1) & (r.member_of < slots[r.district])).all(), (
        "expected member_of to point to an association of the resident's district (or -1)"
    )
    assert not (r.member_of[~r.occupied] >= 0).any(), "expected no memberships for empty places"
    for x in model.all_associations:
        here = (r.district == x.district) & (r.member_of == x.slot)
        assert here.sum() / model.scale == pytest.approx(x.members), (
            f"{x.kind} of district {x.district}: expected its member count to match the "
            "residents pointing to it"
        )
        if not ELIGIBLE_TENURES[x.kind][PRIVATE]:
            assert not (here & (r.tenure == PRIVATE)).any(), (
                f"expected no private renters in the {x.kind}"
            )
    assert d["members_housing_company_persons"][35].sum() > 0, (
        "expected the housing companies to have members (test must bite)"
    )


def test_join_choice_follows_weight_eligibility_and_orientation_match() -> None:
    """The chosen association's frequencies match weight x eligible x (1 - |o_i - o_a|).

    The match is tested by a chi-square test.
    """
    model = DistrictModel(small_scenario(1, scale=0.05), seed=2)
    r = model.residents
    creative = model.associations[1].district
    idx = np.flatnonzero(r.occupied & (r.district == creative))
    idx = np.repeat(idx, 40)  # many draws per resident
    slots = associations.choose_association(model, idx, np.random.default_rng(7))
    assoc = [x for x in model.all_associations if x.district == creative]
    w = np.array(
        [
            [
                x.join_weight
                * x.eligible[r.tenure[i]]
                * (1 - abs(r.orientation[i] - x.orientation))
                for x in assoc
            ]
            for i in idx[::40]
        ]
    )
    p = w / w.sum(axis=1, keepdims=True)
    expected = np.repeat(p, 40, axis=0).sum(axis=0).astype(np.float64)
    expected *= idx.size / expected.sum()
    observed = np.bincount(slots, minlength=len(assoc))
    chi2 = stats.chisquare(observed, expected)
    assert chi2.pvalue > 0.001, (
        f"expected join frequencies {observed} to match the rule's expectation "
        f"{np.round(expected)}, chi-square p={chi2.pvalue:.2g}"
    )
    private = np.repeat(r.tenure[idx[::40]] == PRIVATE, 40)
    hc = [x.slot for x in assoc if x.kind == "housing_company"][0]
    assert not (slots[private] == hc).any(), (
        "expected private renters never to join the housing company"
    )


def test_each_kind_drifts_toward_its_own_active_members_and_the_lead_toward_all() -> None:
    """Replay the associations phase of a month; check each association's drift against the rule."""
    model = stepped(small_scenario(30, scale=0.1), 24, seed=4)
    t = model.month
    model.program.step(t)
    reputation.apply_shocks(model, t)
    communication.step(model, t)
    mobilisation.step(model, t)
    before = {x.unique_id: x.orientation for x in model.all_associations}
    associations.step(model, t)
    r = model.residents
    omega = model.rates.omega
    checked = 0
    for x in model.all_associations:
        act = r.is_active & (r.district == x.district) & r.is_member
        own = act if x.is_lead else act & (r.member_of == x.slot)
        if not own.any():
            assert x.orientation == before[x.unique_id], (
                f"{x.kind}: expected no drift without active members"
            )
            continue
        target = float(r.orientation[own].astype(float).mean())
        want = before[x.unique_id] + omega * (target - before[x.unique_id])
        assert x.orientation == pytest.approx(want, rel=1e-6), (
            f"{x.kind} of district {x.district}: expected drift toward its active members' "
            f"mean {target:.3f}"
        )
        checked += 1
    assert checked >= 4, (
        f"expected several associations with active members (test must bite), got {checked}"
    )


@pytest.mark.parametrize(
    ("district", "newcomer_orientation", "start", "end"),
    [
        ("Traditional", 0.95, "traditional", "creative"),
        ("Creative", 0.05, "creative", "traditional"),
    ],
)
def test_newcomers_turn_a_district_creative_and_the_reverse(
    district: str, newcomer_orientation: float, start: str, end: str
) -> None:
    """With faster drift, newcomers take the lead association across the mode cut in 15 years.

    With omega 0.5/year, newcomers' orientation takes the lead association
    across the mode cut within 15 years (MODEL 5.3, 5.11).
    """
    over = [
        f"population.newcomer_orientation_mean={newcomer_orientation}",
        "associations.omega_per_year=0.5",
    ]
    crossed = []
    for seed in (1, 2, 3):
        result = run_scenario(small_scenario(180, *over, scale=0.05), seed=seed)
        d = result.districts[result.districts.district == district]
        assert d["mode"].iloc[0] == start, f"seed {seed}: expected {district} to start {start}"
        ev = result.events
        crossed.append(
            bool(
                (
                    (ev.event == "mode_transition")
                    & (ev.district == district)
                    & ev.detail.str.endswith(end)
                ).any()
            )
        )
    assert all(crossed), (
        f"expected {district} to turn {end} in every seed as newcomers of orientation "
        f"{newcomer_orientation} join, got {crossed}"
    )


def test_district_event_is_any_associations_event_with_the_organisers_mean_orientation() -> None:
    model = DistrictModel(small_scenario(2, scale=0.05), seed=1)
    assoc = [x for x in model.all_associations if x.district == 1]
    for x in model.all_associations:
        x.event_next_month = False
    assoc[0].event_next_month = True
    assoc[-1].event_next_month = True
    communication.step(model, 0)
    assert model.districts.event_now.tolist() == [False, True], (
        "expected an event only where an association holds one"
    )
    assert model.districts.event_orientation[1] == pytest.approx(
        (assoc[0].orientation + assoc[-1].orientation) / 2
    ), "expected the event pull to use the organisers' mean orientation"
    assert model.districts.event_creative[1] == any(x.is_creative for x in (assoc[0], assoc[-1])), (
        "expected a creative event reach when an organiser is creative"
    )


def test_developer_network_launches_the_channels_its_district_lacks() -> None:
    result = run_scenario(small_scenario(36, scale=0.05), seed=1)
    ev = result.events
    launched = ev[(ev.event == "channel_relaunch") & ev.detail.str.contains("developer_network")]
    assert (launched.district == "Creative").any() and not (
        launched.district == "Traditional"
    ).any(), (
        "expected the Creative district's developer network to launch a channel, and none "
        "in Traditional (no network)"
    )
    assert set(launched.detail.str.split().str[0]) == {"social_media"}, (
        "expected only social_media (two_districts already runs paper and website), got "
        f"{launched.detail.tolist()}"
    )
    creative = result.districts[result.districts.district == "Creative"]["n_channels"]
    assert creative.iloc[0] == 2 and creative.iloc[-1] == 3, (
        "expected the Creative district to go from 2 to 3 channels, got "
        f"{creative.iloc[0]} -> {creative.iloc[-1]}"
    )
    control = run_scenario(
        small_scenario(36, "associations.developer_network_in_creative=false", scale=0.05), seed=1
    )
    assert not (control.events.event == "channel_relaunch").any(), (
        "expected no channel launch without a developer network"
    )
    assert (control.districts["n_channels"] == 2).all(), (
        "expected 2 channels throughout without a developer network"
    )


def test_lead_files_the_applications() -> None:
    scen = small_scenario(
        30, "program.enabled=true", "program.apply_volunteers_per_10k=0", scale=0.05
    )
    model = stepped(scen, seed=1)
    events = model.event_log
    for lead in model.associations:
        filed = [
            e["month"] // 12
            for e in events
            if e["event"] == "application"
            and e["detail"].startswith("filed")
            and e["district"] == model.names[lead.district]
        ]
        assert lead.applications == filed, (
            f"{model.names[lead.district]}: expected the lead's applications "
            f"{lead.applications} to be the program years of its application events {filed}"
        )
    assert model.associations[1].applications, (
        "expected the creative lead to apply (test must bite)"
    )
    assert all(not x.applications for x in model.all_associations if not x.is_lead), (
        "expected only leads to file applications (MODEL 5.9)"
    )


def test_reached_residents_join_in_proportion_to_engagement() -> None:
    """``p_join_reached_per_month``: reached non-members join with that rate times engagement."""
    scen = small_scenario(
        2,
        "associations.p_join_per_month=0",
        "associations.p_join_reached_per_month=0.5",
        "associations.member_exit_per_year=0",
        scale=0.1,
    )
    model = DistrictModel(scen, seed=5)
    r = model.residents
    communication.step(model, 0)
    mobilisation.step(model, 0)
    before = r.is_member.copy()
    candidates = r.occupied & ~before
    expected = float((0.5 * r.engagement[candidates & r.is_reached]).sum())
    associations.step(model, 0)
    joined = r.is_member & ~before
    assert not (joined & ~r.is_reached).any(), "expected only reached residents to join"
    n = int(joined.sum())
    assert abs(n - expected) < 4 * np.sqrt(expected), (
        f"expected about {expected:.0f} joiners (0.5 x engagement of the reached), got {n}"
    )
    assert r.engagement[joined].mean() > r.engagement[candidates & r.is_reached].mean(), (
        "expected joiners to be more engaged than the reached residents they come from"
    )


def test_join_probability_without_reached_recruitment_is_the_active_rule() -> None:
    model = DistrictModel(small_scenario(2, scale=0.05), seed=2)
    r = model.residents
    r.is_active[:] = model.streams.get("test").random(r.n) < 0.3
    p = associations.join_probability(r, model.params.associations)
    want = np.where(r.is_active, np.float32(model.params.associations.p_join_per_month), 0)
    np.testing.assert_array_equal(p, want.astype(np.float32))


@pytest.mark.parametrize(("elasticity", "short"), [(0.0, 1), (0.5, 0)])
def test_channel_upkeep_scales_with_district_size(elasticity: float, short: int) -> None:
    """``upkeep_size_elasticity``: a paper for a quarter of the reference size takes half the
    hours at elasticity 0.5 (60 of 120), so 70 hours keep it; at 0 it runs short."""
    scen = small_scenario(2, f"communication.upkeep_size_elasticity={elasticity}", scale=0.02)
    model = DistrictModel(scen, seed=1)
    lead = model.associations[0]
    assert lead.channels["paper"], "expected the two_districts lead to run a paper"
    model.districts.population[0] = model.params.communication.upkeep_reference_persons / 4
    lead.channels = {name: name == "paper" for name in lead.channels}
    left = lead.run_channels(70.0)
    assert lead.short_months["paper"] == short, f"expected {short} short month(s)"
    assert left == pytest.approx(70.0 - (60.0 if short == 0 else 0.0)), f"hours left {left}"


def test_pooled_channel_hours_keep_the_lead_s_paper_and_come_out_of_the_others() -> None:
    """``pooled_channel_hours``: the lead pays its channels from its own hours first, the rest
    from the district's other associations in proportion to their hours (docs/ODD.md 7.4).

    District 0 of two_districts at the reference size, paper only (120 hours of upkeep): the
    lead has 50 hours, two other associations 60 and 20. Pooled, the paper is paid (no short
    month); the lead is left with 0 and the others give 70 of their 80 hours (7/8 each).
    """
    model = DistrictModel(small_scenario(2, scale=0.02), seed=1)
    model.districts.population[0] = model.params.communication.upkeep_reference_persons
    in_district = [i for i, x in enumerate(model.all_associations) if x.district == 0]
    lead = next(i for i in in_district if model.all_associations[i].is_lead)
    others = [i for i in in_district if i != lead][:2]
    assert len(others) == 2, "expected the lead and at least two other associations"
    own = np.zeros(len(model.all_associations))
    own[lead], own[others[0]], own[others[1]] = 50.0, 60.0, 20.0
    x = model.all_associations[lead]
    x.channels = {name: name == "paper" for name in x.channels}
    x.short_months = dict.fromkeys(x.short_months, 0)
    left = associations.pay_channels(model, own)
    assert x.short_months["paper"] == 0, "expected the pooled hours to pay the paper"
    assert left[lead] == pytest.approx(0.0)
    assert left[others[0]] == pytest.approx(60.0 / 8) and left[others[1]] == pytest.approx(20.0 / 8)
    # Alone, the lead's 50 hours do not pay the paper: a short month.
    assert x.run_channels(50.0) == pytest.approx(50.0) and x.short_months["paper"] == 1


def test_volunteering_rises_smoothly_with_engagement_and_width_0_is_the_sharp_cut() -> None:
    """A member volunteers in a share expit((e - cut) / width) of months (ODD 7.4)."""
    e = np.linspace(0, 1, 1001, dtype=np.float32)
    a = dataclasses.replace(
        load_scenario("two_districts").params.associations, volunteer_engagement_width=0.0
    )
    np.testing.assert_array_equal(
        associations.volunteer_chance(e, a), e >= a.volunteer_engagement_cut
    )
    smooth = associations.volunteer_chance(
        e, dataclasses.replace(a, volunteer_engagement_width=0.1)
    )
    assert np.all(np.diff(smooth) > 0) and np.all((smooth > 0) & (smooth < 1))
    at_cut = associations.volunteer_chance(
        np.array([a.volunteer_engagement_cut], dtype=np.float32),
        dataclasses.replace(a, volunteer_engagement_width=0.1),
    )
    np.testing.assert_allclose(at_cut, 0.5, atol=1e-6)


def test_default_volunteering_keeps_the_sharp_cut_s_share_of_initial_members() -> None:
    """The default cut 0.47 at width 0.1 keeps the share that the former cut 0.45 gave (0.40).

    Measured (helsinki, scale 0.1, seed 1): 0.397 of the initial members with the sharp cut,
    0.396 with the default; the district's volunteers are now expected persons.
    """
    model = DistrictModel(load_scenario("helsinki", ["scenario.scale=0.1"]), seed=1)
    r = model.residents
    a = model.params.associations
    e = r.engagement[r.is_member]
    sharp = dataclasses.replace(a, volunteer_engagement_width=0.0, volunteer_engagement_cut=0.45)
    share_sharp = associations.volunteer_chance(e, sharp).mean()
    share_default = associations.volunteer_chance(e, a).mean()
    assert abs(share_default - share_sharp) < 0.01, (share_default, share_sharp)
    volunteers = np.bincount(
        r.district[r.is_member],
        weights=associations.volunteer_chance(e, a),
        minlength=model.n_districts,
    )
    np.testing.assert_allclose(model.districts.volunteers, volunteers / model.scale)
