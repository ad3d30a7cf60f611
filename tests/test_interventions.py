"""Interventions (MODEL section 3, phase 2).

Validation, each type's effect, common random numbers.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from districtsim.errors import ScenarioError
from districtsim.interventions import TYPES, Intervention, State, registered
from districtsim.model import DistrictModel
from districtsim.params import CHANNELS, param
from districtsim.program import Funder
from districtsim.residents import OWNER, PRIVATE, SOCIAL
from districtsim.run import run_scenario
from districtsim.scenario import SCENARIO_DIR, load_scenario, scenario_from_dict
from helpers import mean_ci, run_seeds, small_scenario, stepped

ROOT = Path(__file__).resolve().parents[1]
BUILT_IN = [
    "meeting_place",
    "channel",
    "program",
    "matchmaking",
    "coaching",
    "continuation_funding",
    "housing",
    "reputation_shock",
    "rent_cap",
]


def same_tables(a, b) -> None:
    for name in ("districts", "city", "criteria"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.equals(y), f"expected the {name} table bit-identical to the baseline's"


# ------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("table", "key", "expected"),
    [
        (
            'type = "festival"\nselect = "all"\nstart_month = 1',
            "interventions[0].type",
            "meeting_place, channel, program",
        ),
        (
            'type = "meeting_place"\nstart_month = 1',
            "interventions[0].districts",
            "exactly one of districts",
        ),
        (
            'type = "meeting_place"\ndistricts = ["Nowhere"]\nstart_month = 1',
            "interventions[0].districts",
            "the name of a district",
        ),
        (
            'type = "meeting_place"\nselect = "some"\nstart_month = 1',
            "interventions[0].select",
            "one of all, traditional, creative",
        ),
        (
            'type = "meeting_place"\nselect = "all"\nstart_month = 99',
            "interventions[0].start_month",
            "a month within the horizon 0..35",
        ),
        (
            'type = "meeting_place"\nselect = "all"\nstart_month = 5\nend_month = 5',
            "interventions[0].end_month",
            "a month after start_month, 6..1200",
        ),
        (
            'type = "meeting_place"\nselect = "all"\nstart_month = 1\nchange = "two"',
            "interventions[0].change",
            "(int)",
        ),
        (
            'type = "channel"\nselect = "all"\nstart_month = 1\nchannel = "radio"',
            "interventions[0].channel",
            "one of paper, website, social_media, forum",
        ),
        (
            'type = "program"\ndistricts = ["Creative"]\nstart_month = 1',
            "interventions[0].select",
            'select = "all"',
        ),
        (
            'type = "program"\nselect = "all"\nstart_month = 1\nbudget = 5',
            "interventions[0].budget",
            "budget_eur_per_year",
        ),
        (
            'type = "program"\nselect = "all"\nstart_month = 1\nbudget_eur_per_year = -5',
            "interventions[0].budget_eur_per_year",
            "0",
        ),
        (
            'type = "housing"\nselect = "all"\nstart_month = 1',
            "interventions[0].dwellings",
            "a value for dwellings",
        ),
        (
            (
                'type = "housing"\n'
                'select = "all"\n'
                "start_month = 1\n"
                "dwellings = 10\n"
                "share_owner = 0.9\n"
                "share_social = 0.3"
            ),
            "interventions[0].share_social",
            "share_owner + share_social <= 1",
        ),
        (
            'type = "reputation_shock"\nselect = "all"\nstart_month = 1\nchange = 2.0',
            "interventions[0].change",
            "[-1, 1]",
        ),
        (
            'type = "channel"\nselect = "all"\nstart_month = 1',
            "interventions[0].channel",
            "a value for channel (one of paper, website, social_media, forum)",
        ),
        (
            'type = "channel"\nselect = "all"\nstart_month = 1\nchannel = "paper"\nfunded = 1',
            "interventions[0].funded",
            "(bool)",
        ),
        (
            'type = "program"\nselect = "all"\nstart_month = 1\nlast_call_year = 3',
            "interventions[0].last_call_year",
            "a setting of a program intervention",
        ),
    ],
)
def test_bad_interventions_are_one_line_errors_naming_the_key(
    tmp_path: Path, table: str, key: str, expected: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        small_scenario(36, tables="[[interventions]]\n" + table, folder=tmp_path)
    msg = str(err.value)
    assert key in msg and expected in msg and "\n" not in msg, (
        f"expected a one-line error naming {key} and '{expected}', got: {msg}"
    )


def test_a_shorter_horizon_that_cuts_an_intervention_off_is_an_error(tmp_path: Path) -> None:
    scen = small_scenario(
        36,
        tables='[[interventions]]\ntype = "meeting_place"\nselect = "all"\nstart_month = 30',
        folder=tmp_path,
    )
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.start_month"):
        scen.with_overrides(["scenario.months=12"])


def test_interventions_are_recorded_in_the_run_metadata(tmp_path: Path) -> None:
    scen = small_scenario(
        36,
        tables=(
            "[[interventions]]\n"
            'type = "coaching"\n'
            'districts = ["Traditional"]\n'
            "start_month = 2\n"
            "end_month = 20\n"
            "shift_per_year = 0.3"
        ),
        folder=tmp_path,
    )
    meta = run_scenario(scen, seed=1).meta
    assert meta["scenario"]["interventions"] == [
        {
            "type": "coaching",
            "start_month": 2,
            "end_month": 20,
            "districts": ["Traditional"],
            "shift_per_year": 0.3,
        }
    ]


# ------------------------------------------------- common random numbers
@pytest.mark.parametrize(
    "table",
    [
        (
            "[[interventions]]\n"
            'type = "meeting_place"\n'
            'districts = ["Traditional"]\n'
            "start_month = 3\n"
            "change = 0"
        ),
        (
            "[[interventions]]\n"
            'type = "coaching"\n'
            'select = "traditional"\n'
            "start_month = 0\n"
            "shift_per_year = 0.0"
        ),
        (
            "[[interventions]]\n"
            'type = "rent_cap"\n'
            'select = "all"\n'
            "start_month = 0\n"
            "max_increase_per_year = 1.0"
        ),
    ],
    ids=["no_place", "no_coaching", "loose_cap"],
)
def test_an_intervention_that_changes_nothing_gives_bit_identical_outputs(
    tmp_path: Path, table: str
) -> None:
    a = run_scenario(small_scenario(36), seed=3)
    b = run_scenario(small_scenario(36, tables=table, folder=tmp_path), seed=3)
    same_tables(a, b)
    started = b.events[b.events.event == "intervention_start"]
    assert len(started) >= 1, "expected the intervention's start in the event log"


def test_a_meeting_place_without_its_mechanisms_has_no_effect(tmp_path: Path) -> None:
    """Events off and meeting places out of liveability: a resident house changes nothing.

    Exactly: the tables are bit-identical.
    """
    off = (
        "associations.events_per_year_traditional=0",
        "associations.events_per_year_creative=0",
        "liveability.w_meeting_places=0",
    )
    table = (
        "[[interventions]]\n"
        'type = "meeting_place"\n'
        'districts = ["Traditional", "Creative"]\n'
        "start_month = 0\n"
        "change = 3"
    )
    for seed in (1, 2):
        same_tables(
            run_scenario(small_scenario(36, *off), seed=seed),
            run_scenario(small_scenario(36, *off, tables=table, folder=tmp_path), seed=seed),
        )
    # With the mechanisms on, the same intervention does change the district (test must bite).
    changed = run_scenario(small_scenario(36, tables=table, folder=tmp_path), seed=1).districts
    assert not changed.equals(run_scenario(small_scenario(36), seed=1).districts), (
        "expected the resident houses to change the run when events and liveability use them"
    )


# ------------------------------------------------------------ each type
def test_meeting_place_opens_and_closes_in_its_window(tmp_path: Path) -> None:
    scen = small_scenario(
        36,
        tables=(
            "[[interventions]]\n"
            'type = "meeting_place"\n'
            'districts = ["Creative"]\n'
            "start_month = 5\n"
            "end_month = 10\n"
            "change = 2"
        ),
        folder=tmp_path,
    )
    model = DistrictModel(scen, seed=1)
    places = []
    for _ in range(12):
        model.step()
        places.append(model.districts.meeting_places.copy())
    places = np.array(places)
    assert (
        (places[:5, 1] == 1).all() and (places[5:10, 1] == 3).all() and (places[10:, 1] == 1).all()
    ), f"expected 1 -> 3 -> 1 meeting places in Creative, got {places[:, 1]}"
    assert (places[:, 0] == 1).all(), "expected Traditional unchanged"
    closing = small_scenario(
        36,
        tables=(
            "[[interventions]]\n"
            'type = "meeting_place"\n'
            'districts = ["Creative"]\n'
            "start_month = 2\n"
            "change = -5"
        ),
        folder=tmp_path,
    )
    model = stepped(closing)
    assert model.districts.meeting_places.tolist() == [1, 0], (
        "expected closing more places than exist to stop at 0"
    )


def test_funded_channel_runs_without_volunteers_until_the_end_and_closed_channel_stays_closed(
    tmp_path: Path,
) -> None:
    no_hours = ("associations.hours_per_volunteer=0",)
    scen = small_scenario(
        24,
        *no_hours,
        tables=(
            "[[interventions]]\n"
            'type = "channel"\n'
            'districts = ["Traditional"]\n'
            "start_month = 0\n"
            "end_month = 12\n"
            'channel = "social_media"\n'
            'action = "launch"'
        ),
        folder=tmp_path,
    )
    model = DistrictModel(scen, seed=1)
    k = CHANNELS.index("social_media")
    running = []
    for _ in range(24):
        model.step()
        running.append(bool(model.districts.active_channels[0, k]))
    assert all(running[1:12]), (
        "expected the funded social-media channel to run through the intervention without "
        "volunteer hours"
    )
    assert not running[-1], (
        "expected the channel to lapse after the funding ended (no volunteer hours)"
    )
    close = small_scenario(
        30,
        tables=(
            "[[interventions]]\n"
            'type = "channel"\n'
            'districts = ["Creative"]\n'
            "start_month = 3\n"
            "end_month = 15\n"
            'channel = "paper"\n'
            'action = "close"'
        ),
        folder=tmp_path,
    )
    model = DistrictModel(close, seed=1)
    paper = []
    for _ in range(30):
        model.step()
        paper.append(bool(model.districts.active_channels[1, CHANNELS.index("paper")]))
    assert all(paper[:3]) and not any(paper[4:15]), (
        "expected the paper to stop in month 3 and stay closed while the intervention lasts"
    )
    assert paper[-1], (
        "expected the lead association to restart the paper after the intervention (it has "
        "the hours)"
    )


def test_program_intervention_runs_calls_only_in_its_window(tmp_path: Path) -> None:
    scen = small_scenario(
        60,
        tables=(
            "[[interventions]]\n"
            'type = "program"\n'
            'select = "all"\n'
            "start_month = 12\n"
            "end_month = 36\n"
            "budget_eur_per_year = 500000\n"
            "apply_volunteers_per_10k = 0"
        ),
        folder=tmp_path,
    )
    assert not scen.params.program.enabled
    model = stepped(scen)
    calls = sorted(
        {
            e["month"]
            for e in model.event_log
            if e["event"] == "application" and e["detail"].startswith("filed")
        }
    )
    assert calls == [12, 24], (
        f"expected calls in the Octobers of program years 1 and 2 only (months 12, 24), got {calls}"
    )
    assert len(model.agents_by_type[Funder]) == 3 and sum(
        f.budget_eur_per_year for f in model.agents_by_type[Funder]
    ) == pytest.approx(500_000)
    assert model.program.settings.budget_eur_per_year == 500_000, (
        "expected the intervention's [program] settings in force"
    )
    assert model.params is scen.params, "expected the scenario's parameters never replaced"


def test_matchmaking_gives_partners_at_start_and_every_interval(tmp_path: Path) -> None:
    scen = small_scenario(
        36,
        "partnerships.rate_per_year=0",
        tables=(
            "[[interventions]]\n"
            'type = "matchmaking"\n'
            'districts = ["Traditional"]\n'
            "start_month = 2\n"
            "end_month = 20\n"
            "every_months = 6\n"
            "partners = 2"
        ),
        folder=tmp_path,
    )
    model = stepped(scen)
    matched = [
        (e["month"], e["district"])
        for e in model.event_log
        if e["event"] == "partnership" and "(matchmaking)" in e["detail"]
    ]
    assert sorted(matched) == sorted([(m, "Traditional") for m in (2, 8, 14) for _ in range(2)]), (
        f"expected 2 matched partnerships for Traditional in months 2, 8, 14, got {matched}"
    )


def test_coaching_moves_the_lead_orientation_by_the_shift(tmp_path: Path) -> None:
    scen = small_scenario(
        30,
        "associations.omega_per_year=0",
        tables=(
            "[[interventions]]\n"
            'type = "coaching"\n'
            'select = "traditional"\n'
            "start_month = 0\n"
            "end_month = 24\n"
            "shift_per_year = 0.12"
        ),
        folder=tmp_path,
    )
    model = DistrictModel(scen, seed=1)
    start = model.associations[0].orientation
    for _ in range(30):
        model.step()
    assert model.associations[0].orientation == pytest.approx(start + 0.24), (
        "expected 0.12 a year for 24 months (drift off)"
    )
    assert model.associations[1].orientation == pytest.approx(
        scen.params.associations.initial_orientation_creative
    ), "expected the creative district's lead untouched (select traditional)"


def test_continuation_cut_makes_platforms_lapse(tmp_path: Path) -> None:
    base = (
        "program.enabled=true",
        "program.continuation_probability=1",
        "program.evaluation=false",
        "program.apply_volunteers_per_10k=0",
    )
    kept = stepped(small_scenario(30, *base))
    assert kept.program.is_platform[1], (
        "expected the creative district to stay a platform with certain continuation (test "
        "must bite)"
    )
    cut_scenario = small_scenario(
        30,
        *base,
        tables='[[interventions]]\ntype = "continuation_funding"\nselect = "all"\n'
        'start_month = 12\nend_month = 24\naction = "cut"',
        folder=tmp_path,
    )
    cut = DistrictModel(cut_scenario, seed=1)
    in_force = []
    for _ in range(30):
        in_force.append(cut.program.settings.continuation_probability)  # in this month
        cut.step()
    assert in_force[11] == 1 and in_force[12] == in_force[23] == 0 and in_force[24] == 1, (
        f"expected continuation probability 0 in months 12-23 only, got {in_force}"
    )
    lapses = [e["month"] for e in cut.event_log if e["event"] == "platform_lapse"]
    assert lapses and min(lapses) == 23, (
        f"expected the first lapse in the September inside the cut (month 23), got {lapses}"
    )
    assert cut.program.settings.continuation_probability == 1, (
        "expected the continuation probability restored after the cut"
    )
    assert cut.params is cut_scenario.params, "expected the scenario's parameters never replaced"


def test_housing_adds_dwellings_with_its_tenure_mix(tmp_path: Path) -> None:
    scen = small_scenario(
        36,
        scale=0.05,
        tables=(
            "[[interventions]]\n"
            'type = "housing"\n'
            'districts = ["Creative"]\n'
            "start_month = 6\n"
            "over_months = 12\n"
            "dwellings = 2000\n"
            "share_owner = 0.3\n"
            "share_social = 0.6"
        ),
        folder=tmp_path,
    )
    base = stepped(small_scenario(36, scale=0.05))
    model = stepped(scen)
    added = model.recorder.data["dwellings"][:, 1] - base.recorder.data["dwellings"][:, 1]
    assert (
        added[5] == pytest.approx(0)
        and added[17] == pytest.approx(2000, rel=0.01)
        and added[30] == pytest.approx(2000, rel=0.01)
    ), (
        "expected 2,000 more dwellings from month 17 on, none before month 6: "
        f"{added[[5, 11, 17, 30]]}"
    )
    np.testing.assert_allclose(
        model.recorder.data["dwellings"][:, 0],
        base.recorder.data["dwellings"][:, 0],
        err_msg="expected Traditional's dwellings unchanged",
    )
    r = model.residents
    n_new = round(2000 * scen.params.housing.persons_per_dwelling * 0.05)
    new = np.flatnonzero(r.district == 1)[
        -n_new:
    ]  # the intervention's places close the district's block
    assert (r.built_month[new] >= 6).all() and (r.built_month[new] < 18).all(), (
        "expected the new places completed in months 6-17"
    )
    shares = np.array([np.mean(r.tenure[new] == k) for k in (OWNER, SOCIAL, PRIVATE)])
    sd = np.sqrt(np.array([0.3, 0.6, 0.1]) * (1 - np.array([0.3, 0.6, 0.1])) / n_new)
    assert (np.abs(shares - [0.3, 0.6, 0.1]) < 4 * sd).all(), (
        "expected the new places' tenure 0.3 / 0.6 / 0.1 within 4 sd "
        f"({np.round(4 * sd, 3)}), got {np.round(shares, 3)} of {n_new} places"
    )


def test_reputation_shock_changes_reputation_at_the_start_month(tmp_path: Path) -> None:
    a = DistrictModel(small_scenario(36), seed=2)
    b = DistrictModel(
        small_scenario(
            36,
            tables=(
                "[[interventions]]\n"
                'type = "reputation_shock"\n'
                'districts = ["Traditional"]\n'
                "start_month = 4\n"
                "change = -0.2"
            ),
            folder=tmp_path,
        ),
        seed=2,
    )
    for t in range(5):
        a.step()
        b.step()
        gap = b.districts.reputation[0] - a.districts.reputation[0]
        if t < 4:
            assert gap == 0, "expected no change before the start month"
    assert gap == pytest.approx(-0.2 * (1 - b.rates.eta_reputation), abs=0.01), (
        f"expected about -0.2 after the shock (then relaxing), got {gap:.3f}"
    )


@pytest.mark.slow
def test_rent_cap_reduces_burden_moves_of_private_renters(tmp_path: Path) -> None:
    """Paired over seeds: a tight cap on rent rises lowers burden-driven moves where it applies.

    The capped districts' difference has a 95% CI below 0.
    """
    over = ("housing.price_trend_per_year=0.08",)
    table = (
        "[[interventions]]\n"
        'type = "rent_cap"\n'
        'select = "all"\n'
        "start_month = 0\n"
        "max_increase_per_year = 0.0"
    )
    diffs = []
    for seed in range(1, 9):
        base = run_scenario(small_scenario(60, *over, scale=0.05), seed=seed).districts
        capped = run_scenario(
            small_scenario(60, *over, scale=0.05, tables=table, folder=tmp_path), seed=seed
        ).districts
        diffs.append(
            capped["moves_out_burden_persons"].sum() - base["moves_out_burden_persons"].sum()
        )
    ci = mean_ci(np.array(diffs))
    assert ci[2] < 0, (
        f"expected fewer burden-driven moves with the cap: capped minus baseline {ci[0]:+.0f} "
        f"[{ci[1]:+.0f}, {ci[2]:+.0f}] persons over 5 years"
    )


@pytest.mark.slow
def test_a_local_intervention_leaves_distant_districts_nearly_unchanged(tmp_path: Path) -> None:
    """A resident house and a funded social-media group in Kulosaari (east) raise its identity.

    Western districts show no systematic change.

    Common random numbers are exact for the per-place draws, but moves couple
    the districts (a changed district changes who moves where, and so which
    draws the movers get), so a distant district's paired difference is the
    noise of another realisation: centred on 0, not exactly 0.

    Seeds 1-20 (6 before issue 12). A far district's paired difference in mean identity has an
    SD of ~0.03-0.04 per seed, so over 6 seeds its 95% CI is typically +-0.03 or more, wider
    than the tolerance (a tenth of the local effect, ~0.017), and a chance run of six alike
    values decides the test: at the issue-12 defaults seeds 1-6 gave Haaga +0.016 to +0.032,
    +0.022 [+0.015, +0.029] against Kulosaari's +0.153 [+0.117, +0.190], while seeds 7-30
    average +0.008. Measured at the defaults of issue 12's third session over seeds 1-20
    (99% intervals): Kulosaari +0.158 [+0.140, +0.177] (95%); Pitäjänmäki +0.018 [-0.001,
    +0.036], Kaarela -0.004 [-0.020, +0.012], Lauttasaari -0.001 [-0.015, +0.013],
    Munkkiniemi -0.000 [-0.001, +0.000], Haaga -0.008 [-0.026, +0.010]. Before the
    correction of movers' owner bonus (docs/ODD.md section 9, item 16; 95% intervals):
    Kulosaari +0.161 [+0.143, +0.178]; Haaga -0.009 [-0.023, +0.005], Kaarela -0.009 [-0.024,
    +0.005], Pitäjänmäki -0.007 [-0.022, +0.008], Lauttasaari +0.001 [-0.008, +0.010],
    Munkkiniemi +0.000 [+0.000, +0.001] (at the first issue-12 defaults, seeds 1-30: Haaga
    +0.0105 [+0.0000, +0.0210], 6% of Kulosaari's +0.168).

    Five districts are tested at once, so each gets a 99% interval (Bonferroni: family-wise
    95%). With 95% intervals one of the five excludes 0 by chance in about one run in five:
    Pitäjänmäki's +0.018 above was [+0.004, +0.032] at 95%, and over seeds 21-40 it gave
    -0.014 [-0.026, -0.001]: chance in both directions.
    """
    table = (
        "[[interventions]]\n"
        'type = "meeting_place"\n'
        'districts = ["Kulosaari"]\n'
        "start_month = 0\n"
        "change = 1\n"
    )
    table += (
        "[[interventions]]\n"
        'type = "channel"\n'
        'districts = ["Kulosaari"]\n'
        "start_month = 0\n"
        'channel = "social_media"\n'
        'action = "launch"'
    )
    far = ["Pitäjänmäki", "Kaarela", "Lauttasaari", "Munkkiniemi", "Haaga"]
    seeds = range(1, 21)
    baseline = run_seeds(small_scenario(60, scale=0.05, name="helsinki"), seeds)
    pushed = run_seeds(
        small_scenario(60, scale=0.05, name="helsinki", tables=table, folder=tmp_path), seeds
    )
    diffs = [
        b.districts.groupby("district", observed=True)["identity"].mean()
        - a.districts.groupby("district", observed=True)["identity"].mean()
        for a, b in zip(baseline, pushed, strict=True)
    ]
    local = mean_ci(np.array([d["Kulosaari"] for d in diffs]))
    assert local[1] > 0, (
        f"expected the resident house and the channel to raise Kulosaari's identity: {local}"
    )
    # Five far districts are tested at once: each gets a 99% interval (Bonferroni, family-wise
    # 95%), or one district in four or five runs would show a "systematic" change by chance.
    level = 1 - 0.05 / len(far)
    for name in far:
        ci = mean_ci(np.array([d[name] for d in diffs]), level)
        assert ci[1] < 0 < ci[2] or abs(ci[0]) < 0.1 * local[0], (
            f"expected no systematic change in {name}: {ci[0]:+.4f} [{ci[1]:+.4f}, "
            f"{ci[2]:+.4f}] ({level:.0%} interval) vs Kulosaari {local[0]:+.4f}"
        )
        assert abs(ci[0]) < 0.25 * local[0], (
            f"expected {name}'s mean change under a quarter of Kulosaari's: {ci[0]:+.4f} vs "
            f"{local[0]:+.4f}"
        )


# ------------------------------------------------- parameters stay frozen
def test_every_intervention_leaves_the_scenario_parameters_untouched() -> None:
    """Interventions hold their own settings; ``model.params`` is the scenario's all along."""
    scen = load_scenario(str(ROOT / "tests" / "golden" / "every_intervention.toml"))
    assert {iv.type for iv in scen.interventions} == set(TYPES)
    model = stepped(scen)
    assert model.params is scen.params, "expected model.params to be the scenario's params"
    assert not scen.params.program.enabled and model.program.settings.enabled, (
        "expected the program intervention's settings in force, the scenario's unchanged"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        scen.interventions[0].start_month = 3  # type: ignore[misc]


# ------------------------------------------ a type from outside the package
@dataclass(frozen=True, kw_only=True)
class CommunityFund(Intervention):
    """A test's own type: meeting places opened while the fund lasts; months counted."""

    type: ClassVar[str] = "community_fund"

    places: int = param(2, "meeting places", 0, 10, "test: two resident houses")

    def start(self, model: DistrictModel, state: State) -> None:
        model.districts.meeting_places[state.districts] += self.places
        state.saved = 0

    def month(self, model: DistrictModel, t: int, state: State) -> None:
        state.saved += 1

    def end(self, model: DistrictModel, state: State) -> None:
        model.districts.meeting_places[state.districts] -= self.places


def fund_scenario(**table: object) -> dict:
    raw = tomllib.loads((SCENARIO_DIR / "two_districts.toml").read_text(encoding="utf-8"))
    raw["scenario"].update(months=8, scale=0.02)
    row = {"type": "community_fund", "districts": ["Creative"], "start_month": 2, "end_month": 5}
    raw["interventions"] = [{**row, **table}]
    return raw


def test_a_type_registered_from_the_test_file_runs_with_its_hooks_and_declarations() -> None:
    with registered(CommunityFund):
        assert list(TYPES)[-1] == "community_fund"
        scen = scenario_from_dict(fund_scenario(places=3), "<test>")
        assert isinstance(scen.interventions[0], CommunityFund)
        model = DistrictModel(scen, seed=1)
        places = []
        for _ in range(8):
            model.step()
            places.append(int(model.districts.meeting_places[1]))
        assert places == [1, 1, 4, 4, 4, 1, 1, 1], (
            f"expected 3 more meeting places in Creative in months 2-4, got {places}"
        )
        assert model.interventions.states[0].saved == 3, "expected the month hook in months 2-4"
        logged = [
            (e["month"], e["event"], e["district"], e["detail"])
            for e in model.event_log
            if e["event"].startswith("intervention_")
        ]
        assert logged == [
            (2, "intervention_start", "Creative", "community_fund"),
            (5, "intervention_end", "Creative", "community_fund"),
        ], f"expected the start and end events, got {logged}"
        assert scen.to_dict()["interventions"][0]["places"] == 3
        assert scenario_from_dict(fund_scenario(), "<test>").interventions[0].places == 2
        with pytest.raises(ScenarioError, match=r"interventions\[0\]\.places.*\[0, 10\]"):
            scenario_from_dict(fund_scenario(places=11), "<test>")
        with pytest.raises(ScenarioError, match=r"interventions\[0\]\.size.*places"):
            scenario_from_dict(fund_scenario(size=1), "<test>")
    assert "community_fund" not in TYPES, "expected the test's type unregistered"
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.type"):
        scenario_from_dict(fund_scenario(), "<test>")


def test_the_registry_holds_the_built_in_types_only() -> None:
    assert list(TYPES) == BUILT_IN, f"expected the nine built-in types in order, got {list(TYPES)}"
    assert all(cls.type == name for name, cls in TYPES.items())


# --------------------------------------------------------------- the docs
def test_docs_types_table_lists_each_type_with_its_declared_settings() -> None:
    """``docs/interventions.md``: one row per registered type, settings as declared."""
    text = (ROOT / "docs" / "interventions.md").read_text(encoding="utf-8")
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| `")]
    documented = {row[0].removeprefix("| `").removesuffix("`"): row[1] for row in rows}
    assert list(documented) == list(TYPES), (
        f"expected one row per type in registration order, got {list(documented)}"
    )
    for name, cls in TYPES.items():
        assert documented[name] == cls.settings_doc(), (
            f"docs/interventions.md, {name}: expected the settings column "
            f"{cls.settings_doc()!r}, found {documented[name]!r}"
        )


@pytest.mark.parametrize("select", ["traditional", "creative"])
def test_housing_refuses_a_selector_by_mode(select: str, tmp_path: Path) -> None:
    """Housing places are made at set-up, before modes exist: a mode selector is an error."""
    tables = (
        f'[[interventions]]\ntype = "housing"\nselect = "{select}"\n'
        "dwellings = 100\nstart_month = 0"
    )
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.select.*set-up"):
        small_scenario(12, tables=tables, folder=tmp_path)


def test_housing_for_all_districts_adds_places_everywhere(tmp_path: Path) -> None:
    tables = '[[interventions]]\ntype = "housing"\nselect = "all"\ndwellings = 500\nstart_month = 0'
    base = DistrictModel(small_scenario(2), seed=1)
    built = DistrictModel(small_scenario(2, tables=tables, folder=tmp_path), seed=1)
    added = np.diff(built.block_start) - np.diff(base.block_start)
    assert (added > 0).all(), f"expected new places in every district, got {added}"


def test_a_window_can_be_given_in_years_counted_from_0_like_months(tmp_path) -> None:
    """start_year = 4 is month 48 (year 0 is months 0-11); end_year = 8 ends after month 95."""
    from districtsim.scenario import load_scenario

    def load(window: str):
        (tmp_path / "s.toml").write_text(
            '[scenario]\nbase = "two_districts"\n[[interventions]]\ntype = "rent_cap"\n'
            f'select = "all"\n{window}\n',
            encoding="utf-8",
        )
        return load_scenario(str(tmp_path / "s.toml"))

    iv = load("start_year = 4\nend_year = 8").interventions[0]
    assert (iv.start_month, iv.end_month) == (48, 96)
    assert iv.describe(240).startswith("rent_cap in every district, months 48 to 95 (from year 4)")
    assert load("start_year = 0").interventions[0].start_month == 0
    with pytest.raises(ScenarioError) as info:
        load("start_year = 4\nstart_month = 48")
    assert "not both" in info.value.expected
    with pytest.raises(ScenarioError) as info:
        load("start_year = 20")
    assert info.value.key == "interventions[0].start_year" and "0..19" in info.value.expected
    with pytest.raises(ScenarioError) as info:
        load("start_year = 4\nend_year = 4")
    assert info.value.key == "interventions[0].end_year" and "5..100" in info.value.expected
    with pytest.raises(ScenarioError) as info:
        load('start_month = "x"\nend_year = 3')
    assert info.value.key == "interventions[0].start_month", info.value.one_line()
    with pytest.raises(ScenarioError) as info:
        load("")
    assert "start_year = 4 is start_month = 48" in info.value.expected, info.value.one_line()
