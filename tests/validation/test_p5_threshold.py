"""P5 Threshold mobilisation (MODEL sections 1, 5.2 and 7).

"Participation over time follows S-curves; near a tipping point a small push
(one meeting place, one channel) changes the outcome a lot."

Every scenario here is one district cut from the text of
``scenarios/two_districts.toml`` (the other district and the ``neighbours``
line removed, channels and meeting places edited, and its associations set
to the district association, a housing company and a school: no developer
network, because a developer network launches a social-media group itself,
which is the very push of b)), written to a temporary
folder and loaded with :func:`districtsim.scenario.load_scenario` plus
``--set``-style overrides. A district without neighbours ties only to itself.
Statistics are over replicate seeds: 95% Student-t confidence intervals of
paired differences, or percentile bootstrap intervals over replicates for
statistics of the replicate-averaged curve. Numbers in the tests' docstrings were
measured with the defaults of issue 12's third session and the settings below
(the mean-field and exploration figures in the next paragraphs at its first session;
the few figures marked so at its second session).

No tipping point at the defaults. With the issue-12 defaults (a_identity 0.11,
tau 0.14, theta_sd 0.18, reach_background 0.075, b_social 0.34) the rule has
no tipping point in this district for any theta_mean: the mean-field map of
participation (the fixed-point rule of ``initial_participation``) has a slope
of at most 0.70 for theta_mean 0.5-1.6, so one fixed point only, and one
extra channel raises the mean-field participation by 13-26%. Simulated
(4 seeds, scale 0.05, 120 months): the push of b) multiplies final
participation by 1.06-1.56 (geometric mean) for theta_mean 0.6-1.4, never
several-fold. With 12 events a year and theta_mean 1.12 (the former S-curve
setting; 8 seeds, scale 0.1) participation rises 0.057 -> 0.088 over 20
years and grows fastest in the first year (concave, no S). a) and b) are
therefore set in a district where collective identity weighs more in
motivation: ``mobilisation.a_identity = 0.7`` (the former default was 0.50;
at 0.50 with the new tau and theta_sd the push is at most 2.5-fold, geometric
mean of 4 seeds, theta_mean 1.30-1.50). The identity feedback is slow
(identity's time constant is 2 years), which gives the years-long S-curve.
The thresholds are shifted up to keep such a district near its tipping point
(theta_mean about 1.5 instead of 1.045).

a) S-curve. The creative district with ``a_identity = 0.7``,
   ``theta_mean = 1.55`` and an event every month
   (``events_per_year_creative = 12``, default 8) starts on the low branch
   (~3.4% active) and tips over the years to ~15%. The lead's monthly event
   lottery is switched off (the housing company's and the school's few events,
   about 1.2 a year together, remain) because at the default 8 events a year
   the yearly event count moves a district's yearly participation as much as
   the peak yearly growth (measured: 8 seeds, scale 0.1, theta 1.50-1.54,
   default events: yearly growth of the averaged curve swings between -0.007
   and +0.016, its maximum in step 4, 12 or 15). Scale 0.2 (4,000 residents)
   because at scale 0.1 the tipping time of single replicates spreads too
   widely (theta_mean 1.55, seeds 9-16: peaks in growth steps 5-15, late /
   peak bootstrap interval up to 0.54, failing; at 1.54-1.545 some seeds tip
   in the first year). The tipping time is sensitive to theta_mean, as the
   passage past a fold is: the replicates peak in steps 5-8 at 1.54 (one seed
   tips at once), 7-11 at 1.55, 11-18 at 1.56 (scale 0.2, seeds 1-8); of
   these only 1.55 meets all bounds, and it does for seeds 9-16 too (peak
   step 10, bootstrap 9-10; early / peak 0.27 [0.23, 0.31], late / peak 0.13
   [0.11, 0.16], final / first 4.8 [4.6, 4.9]). This exploration was done at
   an intermediate stage of the issue-12 calibration (before its price rule,
   location constants and engagement-selective pull, which hardly touch a
   one-district city); the tests' docstrings give the final numbers.
b) Tipping point. The same district (``a_identity = 0.7``) with default events
   and channels paper + website, pushed by one extra channel (social_media),
   paired by seed, final participation = mean of months 108-119. Near the
   tipping point (theta_mean 1.54) the push multiplies final participation
   several-fold; far below it (theta_mean 1.80, nearly nobody takes part) the
   same push adds almost nothing; far above it (theta_mean 1.30, the district
   is mobilised) it adds at least as many persons as near the tipping point but
   multiplies participation by much less. "A lot" is therefore asserted as a
   ratio against the mobilised regime and as an absolute difference against
   the unmobilised regime.
d) P5 at the default settings, in the default city: a temporary push (a paper paid for
   12 months) in the one traditional district that runs no paper (Reijola) leaves
   participation about 3.5x the no-push arm five years after the push ended, because the
   district's own volunteers keep the paper once it runs (a tipping point of its resource
   base: it would not start a paper, but it can keep one); with an eighth of the volunteer
   hours the paper lapses after the push and the effect fades. This is the lasting effect of
   a temporary programme that planners ask about; a) and b) show the threshold rule's own
   tipping, which at the default rule needs the stronger identity term stated above.
c) Granovetter's regime change with the full model machinery (MODEL 7):
   motivation and events off, tau -> 0, thresholds Normal(0.25, sigma) on the
   share of active ties, a well-mixed district in which everyone is reached
   every month, no migration.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from replicates import mean_ci
from scipy.special import ndtr

from districtsim.run import run_scenario
from districtsim.scenario import SCENARIO_DIR, Scenario, load_scenario
from helpers import run_seeds

pytestmark = pytest.mark.slow


def fmt(ci: tuple[float, ...]) -> str:
    return f"{ci[0]:.4g} [{ci[1]:.4g}, {ci[2]:.4g}]"


ASSOCIATIONS = ("district_association", "housing_company", "school")
# a) and b): a district whose collective identity weighs more in motivation than the default's
# 0.11 (module docstring: at the defaults the rule has no tipping point).
IDENTITY_FEEDBACK = "mobilisation.a_identity=0.7"


def one_district(
    folder: Path, name: str, channels: list[str], meeting_places: int, overrides: list[str]
) -> Scenario:
    """Cut district ``name`` out of two_districts.toml, edit it, write it to ``folder``, load it."""
    text = (SCENARIO_DIR / "two_districts.toml").read_text(encoding="utf-8")
    head, *blocks = re.split(r"^\[\[districts\]\][ \t]*$", text, flags=re.M)
    (block,) = [b for b in blocks if re.search(rf'^name = "{name}"', b, flags=re.M)]
    block = re.sub(r"^neighbours = .*$", "", block, flags=re.M)
    block = re.sub(r"^channels = .*$", f"channels = {json.dumps(channels)}", block, flags=re.M)
    block = re.sub(
        r"^meeting_places = .*$", f"meeting_places = {meeting_places}", block, flags=re.M
    )
    # No developer network: it would launch the social-media channel itself, the very push of b)
    # (docstring).
    block = re.sub(
        r"^(mode = .*)$", f"\\1\nassociations = {json.dumps(list(ASSOCIATIONS))}", block, flags=re.M
    )
    path = folder / f"{name}_{'_'.join(channels)}_{meeting_places}.toml"
    path.write_text(head + "[[districts]]" + block, encoding="utf-8")
    scenario = load_scenario(str(path), overrides)
    (district,) = scenario.districts
    assert (
        district.name,
        list(district.channels),
        district.meeting_places,
        district.neighbours,
        district.associations,
    ) == (name, channels, meeting_places, (), ASSOCIATIONS)
    return scenario


def participation(scenario: Scenario, seeds: list[int]) -> np.ndarray:
    """Monthly participation rate, one row per seed."""
    return np.array(
        [run_scenario(scenario, seed=s).districts["participation_rate"].to_numpy() for s in seeds]
    )


# --------------------------------------------------------------------------- a) S-curve
S_SEEDS = list(range(1, 9))
S_MONTHS = 240
S_SCALE = 0.2  # 4,000 simulated residents
S_OVERRIDES = [
    f"scenario.months={S_MONTHS}",
    f"scenario.scale={S_SCALE}",
    IDENTITY_FEEDBACK,
    "associations.events_per_year_creative=12",
    "mobilisation.theta_mean=1.55",
]
S_FIRST = 2  # growth steps (years 0->1, 1->2) that make up the "slow start"
S_LAST = 4  # growth steps (years 15->16 ... 18->19) that make up "levelled off"
S_BOOT = 2000


def yearly_curve(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Yearly values of the 12-month rolling mean of the replicate-averaged curve, and growth."""
    rolling = np.convolve(p.mean(axis=0), np.ones(12) / 12, mode="valid")
    years = rolling[::12]
    return years, np.diff(years)


def shape(p: np.ndarray) -> tuple[int, float, float, float]:
    """Of the averaged curve: peak growth year, early and late / peak growth, final / first year."""
    years, growth = yearly_curve(p)
    peak = growth.max()
    return (
        int(growth.argmax()),
        growth[:S_FIRST].mean() / peak,
        growth[-S_LAST:].mean() / peak,
        years[-1] / years[0],
    )


@pytest.fixture(scope="module")
def tipping_runs(tmp_path_factory) -> np.ndarray:
    scenario = one_district(
        tmp_path_factory.mktemp("p5a"), "Creative", ["paper", "website"], 1, S_OVERRIDES
    )
    return participation(scenario, S_SEEDS)


def test_participation_follows_an_s_curve(tipping_runs):
    """Measured (8 seeds, third-session defaults): participation 0.034 in year 0, 0.15 from year 13.

    Yearly growth 0.0045-0.0068 in steps 0-4, peak 0.0159 at step 9, between -0.0014 and
    +0.0021 in the last 4 steps.

    Bootstrap (2,000 resamples of the 8 replicates): peak growth step 7-9
    (bounds 2..14 asserted), early / peak 0.35 [0.28, 0.37] (bound 0.6),
    late / peak 0.04 [0.00, 0.07] (bound 0.35), final / first year 4.74
    [4.54, 4.96] (bound 2.5).
    """
    p = tipping_runs
    years, growth = yearly_curve(p)
    k, early, late, rise = shape(p)
    rng = np.random.default_rng(5)
    boot = np.array([shape(p[rng.integers(0, len(S_SEEDS), len(S_SEEDS))]) for _ in range(S_BOOT)])
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    last_step = growth.size - 1
    summary = (
        f"yearly participation {np.round(years, 3)}, yearly growth {np.round(growth, 4)}; "
        f"peak growth step {k} (bootstrap 95% {lo[0]:.0f}-{hi[0]:.0f}), "
        f"early/peak {early:.2f} [{lo[1]:.2f}, {hi[1]:.2f}], late/peak {late:.2f} "
        f"[{lo[2]:.2f}, {hi[2]:.2f}], final/first {rise:.2f} [{lo[3]:.2f}, {hi[3]:.2f}]"
    )
    assert S_FIRST <= lo[0] and hi[0] <= last_step - S_LAST, (
        "expected the fastest growth strictly inside the horizon (steps "
        f"{S_FIRST}..{last_step - S_LAST}); {summary}"
    )
    assert hi[1] < 0.6, (
        f"expected a slow start: growth over the first {S_FIRST} years below 0.6 x the "
        f"peak growth; {summary}"
    )
    assert hi[2] < 0.35, (
        f"expected levelling off: growth over the last {S_LAST} years below 0.35 x the "
        f"peak growth; {summary}"
    )
    assert lo[3] > 2.5, (
        "expected the district to tip: final-year participation above 2.5 x the first "
        f"year's; {summary}"
    )


# --------------------------------------------------------------------------- b) tipping point
T_SEEDS = list(range(1, 9))
T_MONTHS = 120
T_SCALE = 0.05  # 1,000 simulated residents
BASE_CHANNELS = ["paper", "website"]
PUSH_CHANNELS = ["paper", "website", "social_media"]
REGIMES = {"near": 1.54, "below": 1.80, "above": 1.30}  # mobilisation.theta_mean


@pytest.fixture(scope="module")
def push_effects(tmp_path_factory) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per regime and seed: final participation without and with the push.

    Final participation is the mean of the last 12 months.
    """
    folder = tmp_path_factory.mktemp("p5b")
    out = {}
    for regime, theta in REGIMES.items():
        common = [
            f"scenario.months={T_MONTHS}",
            f"scenario.scale={T_SCALE}",
            IDENTITY_FEEDBACK,
            f"mobilisation.theta_mean={theta}",
        ]
        base = participation(one_district(folder, "Creative", BASE_CHANNELS, 1, common), T_SEEDS)[
            :, -12:
        ].mean(axis=1)
        push = participation(one_district(folder, "Creative", PUSH_CHANNELS, 1, common), T_SEEDS)[
            :, -12:
        ].mean(axis=1)
        out[regime] = (base, push)
    return out


def describe(effects: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    parts = []
    for regime, (base, push) in effects.items():
        parts.append(
            f"{regime} (theta_mean {REGIMES[regime]}): without {fmt(mean_ci(base))}, with "
            f"social_media {fmt(mean_ci(push))}, difference {fmt(mean_ci(push - base))}, "
            f"ratio of means {push.mean() / base.mean():.2f}"
        )
    return "; ".join(parts)


def test_push_near_tipping_point_is_several_fold(push_effects):
    """Measured (8 seeds): 0.028 [0.019, 0.036] -> 0.127 [0.097, 0.156], +0.099 [0.069, 0.129].

    Geometric-mean ratio 4.6 [3.2, 6.7].
    """
    base, push = push_effects["near"]
    log_ratio = mean_ci(np.log(push / base))
    diff = mean_ci(push - base)
    summary = (
        f"geometric-mean ratio {np.exp(log_ratio[0]):.2f} [{np.exp(log_ratio[1]):.2f}, "
        f"{np.exp(log_ratio[2]):.2f}]; {describe(push_effects)}"
    )
    assert np.exp(log_ratio[1]) > 2.5, (
        "expected one extra channel to multiply final participation near the tipping "
        f"point at least 2.5-fold (lower 95% CI); {summary}"
    )
    assert diff[1] > 0.05, (
        "expected one extra channel to add more than 5 percentage points near the tipping "
        f"point (lower 95% CI); {summary}"
    )


def test_push_far_below_tipping_point_adds_little(push_effects):
    """Measured (8 seeds): 0.0032 -> 0.0053, +0.0021 [0.0012, 0.0030].

    Near minus below +0.097 [0.067, 0.127].
    """
    near_base, near_push = push_effects["near"]
    base, push = push_effects["below"]
    diff = mean_ci(push - base)
    contrast = mean_ci((near_push - near_base) - (push - base))
    summary = f"near minus below effect {fmt(contrast)}; {describe(push_effects)}"
    assert diff[2] < 0.01, (
        "expected the push to add under 1 percentage point far below the tipping point "
        f"(upper 95% CI); {summary}"
    )
    assert contrast[1] > 0.05, (
        "expected the push's effect near the tipping point to exceed the effect far below "
        f"it by more than 5 points (lower 95% CI); {summary}"
    )


def test_push_far_above_tipping_point_is_proportionate(push_effects):
    """Measured (8 seeds): 0.307 -> 0.407, ratio 1.33 [1.17, 1.52].

    Near / above ratio of ratios 3.47 [2.51, 4.79].

    Not asserted: in absolute terms the push adds as much here as near the
    tipping point (+0.100 vs +0.099): in a mobilised district
    participation scales with reach.
    """
    near_base, near_push = push_effects["near"]
    base, push = push_effects["above"]
    log_ratio = mean_ci(np.log(push / base))
    contrast = mean_ci(np.log(near_push / near_base) - np.log(push / base))
    summary = (
        f"ratio above {np.exp(log_ratio[0]):.2f} [{np.exp(log_ratio[1]):.2f}, "
        f"{np.exp(log_ratio[2]):.2f}], near/above ratio of ratios {np.exp(contrast[0]):.2f} "
        f"[{np.exp(contrast[1]):.2f}, {np.exp(contrast[2]):.2f}]; {describe(push_effects)}"
    )
    assert np.exp(log_ratio[2]) < 2.0, (
        "expected the push to multiply participation by less than 2 in an already "
        f"mobilised district (upper 95% CI); {summary}"
    )
    assert np.exp(contrast[1]) > 1.5, (
        "expected the push's multiplier near the tipping point to exceed the mobilised "
        f"district's by more than 1.5x (lower 95% CI); {summary}"
    )


# --------------------------------------------------------------------------- c) Granovetter
G_SEEDS = [1, 2, 3]
G_MONTHS = 36
G_SCALE = 0.2  # ~4,000 simulated residents
G_TIES = 100
G_OVERRIDES = [
    f"scenario.months={G_MONTHS}",
    f"scenario.scale={G_SCALE}",
    # Motivation and events off; the deterministic threshold rule on the share of active ties.
    "mobilisation.a_identity=0",
    "mobilisation.a_engagement=0",
    "mobilisation.a_tenure=0",
    "mobilisation.b_event=0",
    "mobilisation.b_social=1",
    "mobilisation.tau=1e-6",
    "mobilisation.theta_mean=0.25",
    # Everyone is reached every month (the paper reaches all and needs no volunteer hours).
    "communication.reach_paper=1",
    "communication.upkeep_paper_hours=0",
    # Well mixed: many ties, all inside the district.
    "network.share_within_district=1",
    f"network.ties_per_resident={G_TIES}",
    # No migration or construction. Move rates of exactly 0 make init_residents fail
    # (rng.geometric(p=0) for the initial residence durations), so 1e-6 a year.
    "migration.population_growth_per_year=0",
    "migration.move_rate_owner_per_year=1e-6",
    "migration.move_rate_private_per_year=1e-6",
    "migration.move_rate_social_per_year=1e-6",
    "migration.construction_per_year=0",
]
LOW_SIGMAS = [0.08, 0.10]
HIGH_SIGMAS = [0.16, 0.20]


def granovetter_equilibrium(sigma: float, mean: float = 0.25, iterations: int = 500) -> float:
    """Granovetter's (1978) equilibrium r = F(r), iterated from r = 0.

    F is the Normal(mean, sigma) CDF.
    """
    r = 0.0
    for _ in range(iterations):
        r = float(ndtr((r - mean) / sigma))
    return r


@pytest.fixture(scope="module")
def granovetter_runs(tmp_path_factory) -> dict[float, np.ndarray]:
    """Per sigma: monthly participation, one row per seed.

    The district is Traditional, paper only, no meeting place, so no events.
    """
    base = one_district(tmp_path_factory.mktemp("p5c"), "Traditional", ["paper"], 0, G_OVERRIDES)
    return {
        sigma: participation(base.with_overrides([f"mobilisation.theta_sd={sigma}"]), G_SEEDS)
        for sigma in LOW_SIGMAS + HIGH_SIGMAS
    }


def test_granovetter_cascade_is_seeded_by_negative_thresholds(granovetter_runs):
    """Month 0: nobody was active, so exactly the residents with theta < 0 act.

    Their share is Phi(-0.25 / sigma).
    """
    n = 20000 * G_SCALE
    for sigma, p in granovetter_runs.items():
        expected = float(ndtr(-0.25 / sigma))
        tol = 4 * np.sqrt(expected * (1 - expected) / n) + 1 / n
        assert np.all(np.abs(p[:, 0] - expected) < tol), (
            f"sigma {sigma}: expected month-0 participation {expected:.4f} +- {tol:.4f} "
            f"(share of thresholds below 0), got {p[:, 0]}"
        )


def test_granovetter_regime_change(granovetter_runs):
    """Measured final participation (month 35, seeds 1-3).

    sigma 0.08: 0.0008-0.0018 (Granovetter's equilibrium 0.0009); sigma 0.10:
    0.0065-0.0090 (0.0077); sigma 0.16: 1.000; sigma 0.20: 0.9995-0.9998
    (everyone). Not asserted but measured (at the defaults of issue 12's second
    session): sigma 0.11 ends at 0.014-0.018 (0.017), sigma 0.12 at 0.037-0.044
    (0.040), sigma 0.13 at 1.0 (in an earlier model version one seed of three at
    sigma 0.12 also went to 1.0).
    """
    finals = {sigma: p[:, -1] for sigma, p in granovetter_runs.items()}
    summary = "; ".join(
        f"sigma {s}: final {np.round(f, 4)} (Granovetter equilibrium "
        f"{granovetter_equilibrium(s):.4f})"
        for s, f in finals.items()
    )
    for sigma in LOW_SIGMAS:
        assert finals[sigma].max() < 0.15, (
            f"expected only a few percent to take part for sigma {sigma} < 0.12; {summary}"
        )
        assert np.all(np.abs(finals[sigma] - granovetter_equilibrium(sigma)) < 0.01), (
            "expected the final participation within 0.01 of Granovetter's equilibrium "
            f"for sigma {sigma}; {summary}"
        )
    for sigma in HIGH_SIGMAS:
        assert finals[sigma].min() > 0.8, (
            f"expected nearly everyone to take part for sigma {sigma} > 0.12; {summary}"
        )


def test_granovetter_cascade_is_an_s_curve(granovetter_runs):
    """Above the regime change the cascade accelerates, then saturates.

    Measured for sigma 0.16 (mean of seeds 1-3): 0.056 0.116 0.209 0.409 0.817 0.999 1.0 in
    months 0-6.
    """
    for sigma in HIGH_SIGMAS:
        p = granovetter_runs[sigma].mean(axis=0)
        growth = np.diff(p)
        k = int(growth.argmax())
        assert 0 < k < G_MONTHS - 13, (
            f"sigma {sigma}: expected the fastest monthly growth after the first month and "
            f"before the last year, got month {k}; participation {np.round(p[:12], 3)}"
        )
        assert growth[0] < 0.5 * growth[k], (
            f"sigma {sigma}: expected a slow start (first monthly growth under half the "
            f"peak); participation {np.round(p[:12], 3)}"
        )
        assert np.abs(growth[-12:]).max() < 0.01 * growth[k], (
            f"sigma {sigma}: expected the cascade to level off in the last year; "
            f"participation {np.round(p, 3)}"
        )


# --------------------------------------------------------------------------- d) default city
D_SEEDS = list(range(1, 9))
D_SCALE = 0.1
D_DISTRICT = "Reijola"  # the only traditional district of helsinki.toml without a paper
D_PUSH_END = 12  # the push runs in months 0-11
D_AFTER = (72, 84)  # months 72-83: year 6, five years after the push ended
D_PUSH = """
[[interventions]]
type = "channel"
districts = ["{district}"]
start_month = 0
end_month = {end}
channel = "paper"
action = "launch"
funded = true
"""


def default_city_push(folder: Path, push: bool, overrides: list[str]) -> Scenario:
    """The default city, with or without a 12-month funded paper in ``D_DISTRICT``."""
    text = (SCENARIO_DIR / "helsinki.toml").read_text(encoding="utf-8")
    if push:
        text += D_PUSH.format(district=D_DISTRICT, end=D_PUSH_END)
    path = folder / f"helsinki_{'push' if push else 'base'}_{len(overrides)}.toml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(
        str(path), [f"scenario.scale={D_SCALE}", f"scenario.months={D_AFTER[1]}", *overrides]
    )


def after_push(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Per seed: the district's mean participation in months 72-83 and channels at month 83."""
    part, channels = [], []
    for result in run_seeds(scenario, D_SEEDS):
        d = result.districts
        x = d[d["district"] == D_DISTRICT]
        part.append(x["participation_rate"].to_numpy()[D_AFTER[0] : D_AFTER[1]].mean())
        channels.append(x["n_channels"].to_numpy()[-1])
    return np.array(part), np.array(channels)


@pytest.fixture(scope="module")
def default_city_pushes(tmp_path_factory) -> dict[str, tuple[np.ndarray, ...]]:
    """Without and with the push, at the defaults and with an eighth of the volunteer hours."""
    folder = tmp_path_factory.mktemp("p5d")
    out = {}
    for name, overrides in {
        "defaults": [],
        "few_hours": ["associations.hours_per_volunteer=0.5"],
    }.items():
        base = after_push(default_city_push(folder, False, overrides))
        push = after_push(default_city_push(folder, True, overrides))
        out[name] = (*base, *push)
    return out


def test_temporary_push_leaves_a_lasting_change_in_the_default_city(default_city_pushes):
    """P5 at the default settings: a 12-month push leaves a district in a different state.

    In the default city (issue-12 defaults, scale 0.1), Reijola, the only traditional district
    without a paper (it runs a website; participation about 0.25% a month), gets a paper paid
    for 12 months (``channel`` intervention, months 0-11); afterwards the paper is the
    district association's own and lapses if its volunteers lack the hours (docs/ODD.md 7.4).
    Five years after the push ended (months 72-83) participation is compared with the same
    seed without the push. The district sits at a tipping point of its resource base: its
    volunteers can keep a paper that it would not start (a channel the association does not
    want is never launched), so the push moves it to the other state, where the paper's
    reach brings more residents to take part and to join, and they keep it going.

    Measured (seeds 1-8, issue 12's third session): participation in months 72-83 0.0024
    [0.0020, 0.0028] without the push, 0.0084 [0.0076, 0.0091] with it; geometric-mean ratio
    3.49 [3.02, 4.04], 3.0-4.9 in every seed; the paper still runs at month 83 in every pushed
    seed (2 channels against 1).
    """
    base, base_ch, push, push_ch = default_city_pushes["defaults"]
    log_ratio = mean_ci(np.log(push / base))
    ratios = push / base
    summary = (
        f"participation in months 72-83 without the push {fmt(mean_ci(base))}, with it "
        f"{fmt(mean_ci(push))}; geometric-mean ratio {np.exp(log_ratio[0]):.2f} "
        f"[{np.exp(log_ratio[1]):.2f}, {np.exp(log_ratio[2]):.2f}]; per seed "
        f"{np.round(ratios, 2).tolist()}; channels at month 83 without {base_ch.tolist()}, "
        f"with {push_ch.tolist()}"
    )
    assert np.exp(log_ratio[1]) > 1.0 and np.exp(log_ratio[0]) >= 2.0, (
        "P5: expected participation five years after a 12-month push to be at least 2x the "
        f"no-push arm (paired CI excluding 1); {summary}"
    )
    assert (ratios >= 2.0).sum() > len(D_SEEDS) / 2, (
        f"P5: expected at least 2x in most seeds; {summary}"
    )
    assert (push_ch > base_ch).sum() > len(D_SEEDS) / 2, (
        f"P5: expected the district to keep the paper after the push in most seeds; {summary}"
    )


def test_without_the_resource_base_the_push_fades(default_city_pushes):
    """The same push with an eighth of the volunteer hours (``hours_per_volunteer`` 0.5, default
    4): the paper lapses after the push ends and the effect fades, so the lasting change above
    is a tipping point of the district's resource base, not the push itself. (A quarter of the
    hours was enough to keep the paper once the district's associations pool their hours for
    its channels, ``associations.pooled_channel_hours``: ratio 3.3, the paper kept in every
    seed; measured at the defaults of issue 12's second session.)

    Measured (seeds 1-8, issue 12's third session): 0.0026 without, 0.0036 [0.0022, 0.0050]
    with the push, ratio 1.32 [0.98, 1.78] (the upper limit under the bound of 2); the
    paper has lapsed by month 83 in every seed; defaults over few hours, ratio of ratios 2.65
    [1.92, 3.68].
    """
    base, base_ch, push, push_ch = default_city_pushes["few_hours"]
    log_ratio = mean_ci(np.log(push / base))
    d_base, _, d_push, _ = default_city_pushes["defaults"]
    contrast = mean_ci(np.log(d_push / d_base) - np.log(push / base))
    summary = (
        f"an eighth of the hours: without {fmt(mean_ci(base))}, with {fmt(mean_ci(push))}, "
        f"geometric-mean ratio {np.exp(log_ratio[0]):.2f} [{np.exp(log_ratio[1]):.2f}, "
        f"{np.exp(log_ratio[2]):.2f}], channels at month 83 with the push {push_ch.tolist()}; "
        f"defaults over an eighth of the hours, ratio of ratios {np.exp(contrast[0]):.2f} "
        f"[{np.exp(contrast[1]):.2f}, {np.exp(contrast[2]):.2f}]"
    )
    assert np.exp(log_ratio[2]) < 2.0, (
        f"expected the push to leave less than 2x when the district cannot keep the paper; "
        f"{summary}"
    )
    assert np.exp(contrast[1]) > 1.5, (
        f"expected the lasting effect at the defaults to exceed the few-hours one by more "
        f"than 1.5x (lower 95% CI); {summary}"
    )
