"""The model's parameters: one typed, frozen tree with units, ranges and sources.

Every parameter is declared once here with :func:`param`: default, unit,
allowed range and the source or reason for the default. The scenario loader
validates TOML tables and ``--set`` overrides against these declarations, the
ODD parameter table in ``docs/ODD.md`` is checked against them by a test, and
rates are declared per year and converted to per month once (see
:mod:`districtsim.rates`), never inside the monthly step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

CHANNELS: tuple[str, ...] = ("paper", "website", "social_media", "forum")
"""Channel kinds a district can run [S1, S2], in upkeep priority order."""

ASSOCIATION_KINDS: tuple[str, ...] = (
    "district_association",
    "housing_company",
    "school",
    "developer_network",
)
"""Association kinds (MODEL 2), in activation order within a district; the first is the lead."""


REQUIRED: Any = dataclasses.MISSING
"""The default of a declared value that has none: a table must give it (typed by its annotation)."""


def param(default: Any, unit: str, lo: float | None, hi: float | None, source: str) -> Any:
    """Declare a parameter field with its unit, range and source.

    The same declaration serves the settings of an intervention type
    (:mod:`districtsim.interventions`).

    Args:
        default: Default value (float, int, bool, text or tuple of ints), or
            :data:`REQUIRED` for a value the table must give.
        unit: Unit in words, e.g. ``"1/year"`` or ``"EUR/m2"``; for text, the
            choices, e.g. ``"competitive|equal"``.
        lo: Lowest allowed value (inclusive), or None.
        hi: Highest allowed value (inclusive), or None.
        source: Source of the default, or the reason for it.

    Returns:
        A dataclass field carrying the metadata.
    """
    meta = {"unit": unit, "lo": lo, "hi": hi, "source": source}
    if default is REQUIRED:
        return field(metadata=meta)
    if isinstance(default, tuple):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


CALIBRATED = "calibrated (issue 12): the stationary baseline of docs/ODD.md section 9"
"""Source note of the parameters set by the issue-12 calibration."""


@dataclass(frozen=True)
class Communication:
    """Channels and the network inform residents (MODEL 5.1) [S1, S2]."""

    reach_paper: float = param(
        0.30,
        "probability/month",
        0,
        1,
        "assumption: a free district paper is read by about a third of households",
    )
    reach_website: float = param(
        0.06,
        "probability/month",
        0,
        1,
        "assumption: few residents visit a district website in a month",
    )
    reach_social_media: float = param(
        0.15,
        "probability/month",
        0,
        1,
        "assumption: a district Facebook group reaches its members and their friends",
    )
    reach_forum: float = param(
        0.03,
        "probability/month",
        0,
        1,
        "assumption: a district forum draws a few percent of residents",
    )
    outside_paper: float = param(
        0.01, "probability", 0, 1, "assumption: a paper is seldom read outside its district"
    )
    outside_website: float = param(
        0.10, "probability", 0, 1, "assumption: a website is the main window to outsiders [S2]"
    )
    outside_social_media: float = param(
        0.08, "probability", 0, 1, "assumption: shared posts reach outsiders [S2]"
    )
    outside_forum: float = param(
        0.03, "probability", 0, 1, "assumption: forums invite officials and firms now and then [S2]"
    )
    upkeep_paper_hours: float = param(
        120.0,
        "volunteer hours/month",
        0,
        None,
        "assumption: editing and distributing a monthly paper",
    )
    upkeep_website_hours: float = param(12.0, "volunteer hours/month", 0, None, "assumption")
    upkeep_social_media_hours: float = param(20.0, "volunteer hours/month", 0, None, "assumption")
    upkeep_forum_hours: float = param(
        30.0,
        "volunteer hours/month",
        0,
        None,
        "assumption: one evening forum a month with preparation",
    )
    reach_background: float = param(
        0.075,
        "probability/month",
        0,
        1,
        "city-wide media, the city's own channels and word of mouth outside associations reach "
        "residents whatever the district runs (no absorbing silence); " + CALIBRATED,
    )
    q_tie: float = param(
        0.10,
        "probability per active tie",
        0,
        1,
        "assumption: word of mouth from an active acquaintance",
    )
    event_reach_traditional: float = param(
        0.04, "probability", 0, 1, "MODEL 5.3: traditional events have a small reach"
    )
    event_reach_creative: float = param(
        0.16,
        "probability",
        0,
        1,
        "MODEL 5.3: festivals and development events reach more; " + CALIBRATED,
    )
    upkeep_reference_persons: float = param(
        20000.0,
        "persons",
        1,
        None,
        "the district size whose channels take the upkeep hours above (two_districts' districts)",
    )
    upkeep_size_elasticity: float = param(
        1.0,
        "elasticity",
        0,
        1,
        "a channel for fewer residents takes fewer hours (distribution, moderation): hours x "
        "(population / reference)^elasticity; 1 = hours per resident (0 = every district pays "
        "the same hours); " + CALIBRATED,
    )
    lapse_grace_months: int = param(
        3, "months", 1, 24, "assumption: a channel survives a short gap in volunteer hours"
    )
    relaunch_margin: float = param(
        1.5,
        "ratio",
        1,
        10,
        "assumption: a lapsed channel restarts when spare hours exceed its upkeep by this factor "
        "for the grace period",
    )


@dataclass(frozen=True)
class Mobilisation:
    """Threshold participation (MODEL 5.2); Granovetter (1978)."""

    a_identity: float = param(
        0.11,
        "motivation per unit identity",
        0,
        None,
        "assumption: identity raises motivation [S4]; " + CALIBRATED,
    )
    a_engagement: float = param(0.60, "motivation per unit engagement", 0, None, "assumption")
    a_tenure: float = param(
        0.20,
        "motivation at full attachment",
        0,
        None,
        "long-stayers participate more (Glaeser et al. 2002)",
    )
    attachment_months: float = param(
        60.0, "months", 1, None, "assumption: attachment builds over about five years"
    )
    b_social: float = param(
        0.34,
        "motivation per share of active ties",
        0,
        None,
        "Granovetter (1978): the threshold is on the share of others acting; " + CALIBRATED,
    )
    b_event: float = param(
        0.36,
        "motivation in an event month",
        0,
        None,
        "assumption: an event is a concrete occasion to take part; " + CALIBRATED,
    )
    tau: float = param(
        0.14,
        "motivation units",
        1e-6,
        None,
        "assumption; tau -> 0 gives the deterministic threshold model; " + CALIBRATED,
    )
    theta_mean: float = param(
        1.045,
        "motivation units",
        None,
        None,
        "city participation of a few % a month (MODEL 7) with districts between about 1% "
        "and 13%; " + CALIBRATED,
    )
    theta_sd: float = param(
        0.18, "motivation units", 0, None, "calibrated with theta_mean; " + CALIBRATED
    )


@dataclass(frozen=True)
class Associations:
    """Associations: membership, volunteers, channels, events, orientation (MODEL 5.3)."""

    p_join_per_month: float = param(
        0.012,
        "probability/month",
        0,
        1,
        "calibrated: members are a few % of residents (Helka); " + CALIBRATED,
    )
    p_join_reached_per_month: float = param(
        0.005,
        "probability/month per unit engagement",
        0,
        1,
        "residents reached this month join in proportion to their engagement, not only active "
        "ones (so membership does not collapse onto participation); " + CALIBRATED,
    )
    member_exit_per_year: float = param(
        0.20, "probability/year", 0, 0.999, "assumption: memberships lapse after about five years"
    )
    volunteer_engagement_cut: float = param(
        0.47,
        "engagement",
        0,
        1,
        "assumption: the more engaged members volunteer; the engagement at which a member's "
        "share of volunteering months is one half (0.45 as a sharp cut before issue 12's third "
        "session; 0.47 keeps the initial members' volunteering at 0.40)",
    )
    volunteer_engagement_width: float = param(
        0.1,
        "engagement",
        0,
        1,
        "a member volunteers in a share expit((engagement - cut) / width) of months, rising "
        "smoothly with engagement (0 = MODEL 5.3's sharp cut); a district's volunteer hours "
        "then come from all its members, not from one or two simulated volunteers at small "
        "scale (issue 12: decisions on smoothed quantities); assumption",
    )
    hours_per_volunteer: float = param(
        4.0, "hours/month", 0, None, "assumption: an evening a month"
    )
    hours_smoothing_months: float = param(
        24.0,
        "months",
        1,
        120,
        "the time constant of the exponential average of volunteer hours that channel upkeep "
        "and events draw on (volunteers spread their work; no channel hinges on one month of "
        "a few simulated persons); 1 means this month's hours; " + CALIBRATED,
    )
    pooled_channel_hours: bool = param(
        True,
        "switch",
        None,
        None,
        "the district's channels (kept by the lead) draw on the volunteer hours of all the "
        "district's associations, the lead's first: housing companies, schools and clubs "
        "write for the district paper and its website; each association keeps what is left "
        "for its own events. Off, only the lead's volunteers keep the channels (issue 12: "
        "small districts' papers hinged on one simulated volunteer)",
    )
    event_hours: float = param(40.0, "volunteer hours/event", 0, None, "assumption")
    events_per_year_traditional: float = param(
        4.0, "events/year", 0, 12, "assumption: annual meeting, seasonal gatherings [S5]"
    )
    events_per_year_creative: float = param(
        8.0, "events/year", 0, 12, "assumption: festivals and development events [S5]"
    )
    festival_months: tuple[int, ...] = param(
        (5, 6, 8, 9),
        "calendar months",
        1,
        12,
        "assumption: outdoor festivals need no meeting place, May-September",
    )
    omega_per_year: float = param(
        0.10,
        "share of gap closed/year",
        0,
        0.999,
        "assumption: orientation follows the active members over about ten years",
    )
    mode_cut: float = param(0.50, "orientation", 0, 1, "MODEL 5.11")
    initial_orientation_traditional: float = param(
        0.25, "orientation", 0, 1, "assumption: interest group looking to history [S5]"
    )
    initial_orientation_creative: float = param(
        0.75, "orientation", 0, 1, "assumption: developer network looking to the future [S5]"
    )
    tie_building_per_event: float = param(
        0.20,
        "probability per attendee",
        0,
        1,
        "MODEL 5.3: creative events build ties across groups",
    )
    initial_member_share: float = param(
        0.04, "share of residents", 0, 1, "Helka: a few % of residents are members"
    )
    housing_company_everywhere: bool = param(
        True,
        "switch",
        None,
        None,
        "MODEL 2: housing companies and tenant committees exist in every district",
    )
    school_everywhere: bool = param(
        True,
        "switch",
        None,
        None,
        "MODEL 2: every district has a school with a parents' association",
    )
    developer_network_in_creative: bool = param(
        True,
        "switch",
        None,
        None,
        "assumption [S5]: creative districts start with a developer network; others do not",
    )
    join_weight_housing_company: float = param(
        0.6,
        "weight (lead = 1)",
        0,
        100,
        "assumption: owners' and tenants' own affairs draw many members",
    )
    join_weight_school: float = param(
        0.4, "weight (lead = 1)", 0, 100, "assumption: only parents of school children join"
    )
    join_weight_developer_network: float = param(0.6, "weight (lead = 1)", 0, 100, "assumption")
    initial_orientation_housing_company: float = param(
        0.2, "orientation", 0, 1, "assumption [S5]: upkeep and preservation of property"
    )
    initial_orientation_school: float = param(
        0.45,
        "orientation",
        0,
        1,
        "assumption: children's future and local tradition nearly in balance, "
        "just below the mode cut",
    )
    initial_orientation_developer_network: float = param(
        0.85, "orientation", 0, 1, "assumption [S5]: developer network looking to the future"
    )
    event_factor_housing_company: float = param(
        0.1,
        "ratio to the lead's event rate",
        0,
        10,
        "assumption: the annual meeting; calibrated with the others so that monthly participation "
        "stays near the P8 range",
    )
    event_factor_school: float = param(
        0.2,
        "ratio to the lead's event rate",
        0,
        10,
        "assumption: a school fair or two a year; calibrated (P8 participation)",
    )
    event_factor_developer_network: float = param(
        0.35,
        "ratio to the lead's event rate",
        0,
        10,
        "assumption [S5]: development events and workshops; calibrated (P8 participation)",
    )


@dataclass(frozen=True)
class Network:
    """Social ties between residents (MODEL 2)."""

    ties_per_resident: int = param(8, "ties", 1, 100, "assumption: neighbourhood acquaintances")
    share_within_district: float = param(
        0.85, "share", 0, 1, "assumption: most local ties are inside the district"
    )


@dataclass(frozen=True)
class Identity:
    """Identity relaxes toward a target (MODEL 5.6)."""

    time_constant_months: float = param(24.0, "months", 1, None, "MODEL 5.12: identity ~2 years")
    w_coverage: float = param(0.35, "weight", 0, 1, "assumption [S4]")
    w_participation: float = param(0.45, "weight", 0, 1, "assumption [S4]")
    w_events: float = param(0.20, "weight", 0, 1, "assumption [S4]")
    coverage_ref: float = param(0.50, "share", 0.01, 1, "coverage that counts as full")
    participation_ref: float = param(
        0.10, "share", 0.001, 1, "participation rate that counts as full"
    )
    events_ref_per_year: float = param(
        8.0, "events/year", 0.1, None, "events a year that count as full"
    )


@dataclass(frozen=True)
class Liveability:
    """Liveability relaxes toward a target (MODEL 5.6)."""

    time_constant_months: float = param(12.0, "months", 1, None, "MODEL 5.12: liveability ~1 year")
    base: float = param(0.20, "liveability", 0, 1, "assumption")
    w_amenity: float = param(
        0.30, "weight", 0, 1, "location and green space (Tyrvainen & Miettinen 2000)"
    )
    w_meeting_places: float = param(0.15, "weight", 0, 1, "assumption [S1]")
    meeting_places_ref_per_10k: float = param(
        1.0, "places/10,000 residents", 0.01, None, "assumption"
    )
    w_events: float = param(0.10, "weight", 0, 1, "assumption")
    w_services: float = param(0.20, "weight", 0, 1, "assumption: local firms as services")
    firms_ref_per_1000: float = param(25.0, "firms/1,000 residents", 0.1, None, "assumption")
    w_benefit: float = param(0.10, "weight", 0, 1, "local benefit of innovations [S4]")
    w_crowding: float = param(0.20, "weight", 0, None, "assumption")
    crowding_occupancy: float = param(
        0.98, "occupied share", 0, 1, "crowding starts when vacancies fall below 2%"
    )


@dataclass(frozen=True)
class Reputation:
    """Outsiders' reputation with inertia and spill-over (MODEL 5.7)."""

    half_life_years: float = param(
        10.0, "years", 0.1, None, "MODEL 5.12; Forrester (1969) perception delays of 10-20 years"
    )
    w_liveability: float = param(0.30, "weight", 0, 1, "assumption [S4]")
    w_achievement: float = param(0.15, "weight", 0, 1, "visibility times achievements [S4]")
    w_status: float = param(
        0.35, "weight", 0, 1, "reputation follows the social mix (Permentier et al. 2011)"
    )
    w_spillover: float = param(
        0.20, "weight", 0, 1, "neighbours' reputation (Rossi-Hansberg et al. 2010)"
    )
    status_span: float = param(
        1.0, "log income ratio", 0.01, None, "mean-income log ratio that spans the status scale"
    )


@dataclass(frozen=True)
class Attractiveness:
    """Multinomial-logit location choice of movers (MODEL 5.7)."""

    b_reputation: float = param(
        4.0,
        "utility per unit",
        0,
        None,
        "0 switches selective migration off (P2); 4 (was 3) so that the pull of reputation "
        "carries P2's share of the divergence (issue 12; section 9); " + CALIBRATED,
    )
    reputation_engagement: float = param(
        1.0,
        "share",
        0,
        1,
        "how much the pull of reputation rises with the mover's engagement: the reputation "
        "term is b_reputation * R_d * (1 - w + w * e_j / e_mean); 0 = every mover values "
        "reputation alike. A district known for its active community draws those who want to "
        "take part (sorting on local public goods, Tiebout 1956; Banzhaf & Walsh 2008); "
        + CALIBRATED,
    )
    location_constants: bool = param(
        True,
        "switch",
        None,
        None,
        "district constants in the location choice, set at month 0 so that each district's "
        "expected first choices equal its expected moves out plus growth: the initial "
        "settlement is a flow equilibrium (alternative-specific constants, McFadden 1978; "
        "Waddell 2002); off, expensive districts empty and their prices fall (issue 12)",
    )
    b_liveability: float = param(2.0, "utility per unit", 0, None, "assumption")
    b_price: float = param(
        5.0,
        "utility per unit of housing cost/income",
        0,
        None,
        "assumption: a district costing 10% more of income is ~40% less likely chosen "
        "(Waddell 2002: price relative to income)",
    )
    b_future: float = param(
        0.8, "utility", 0, None, "assumption: future-oriented movers prefer creative districts [S4]"
    )
    b_income_homophily: float = param(
        1.0,
        "utility per unit log income x log income",
        0,
        None,
        "movers prefer districts whose mean income is like their own, "
        "b * (ln y_j - ln y_city) * (ln y_d - ln y_city) (income homophily; Schelling 1971, "
        "Bayer et al. 2007); " + CALIBRATED,
    )
    b_near: float = param(
        1.0,
        "utility",
        0,
        None,
        "assumption: in-city movers prefer their own and adjacent districts",
    )


@dataclass(frozen=True)
class Housing:
    """Hedonic prices and housing costs (MODEL 5.8)."""

    price_time_constant_months: float = param(
        24.0, "months", 1, None, "MODEL 5.12: price toward target ~2 years"
    )
    beta_reputation: float = param(
        0.8,
        "log price per unit",
        0,
        None,
        "0.1 of reputation is ~8% of price directly; most of reputation's effect on prices runs "
        "through demand (beta_demand), so that it depends on who wants to move in (P2); "
        "initial spread comes from district fixed effects; " + CALIBRATED,
    )
    beta_liveability: float = param(
        0.6,
        "log price per unit",
        0,
        None,
        "0.1 of liveability is ~6% of price directly, the rest through demand "
        "(Tyrvainen & Miettinen 2000: green amenities ~5%); " + CALIBRATED,
    )
    beta_demand: float = param(
        0.6,
        "log price per log demand ratio",
        0,
        None,
        "a district chosen 10% more often than its vacancies warrant has a ~6% higher price "
        "target (the higher price then lowers its demand); demand-led prices (P2); " + CALIBRATED,
    )
    demand_smoothing_months: float = param(12.0, "months", 1, None, "assumption")
    m2_per_person: float = param(
        34.0, "m2/person", 5, None, "Helsinki ~34 m2 floor area per person (Statistics Finland)"
    )
    rent_yield_per_year: float = param(
        0.05, "1/year", 0, 1, "Helsinki ~20 EUR/m2/month rent on ~4,500 EUR/m2"
    )
    pass_through_owner: float = param(
        0.15, "share", 0, 1, "MODEL 5.8: owners feel price rises less"
    )
    pass_through_private: float = param(1.0, "share", 0, 1, "private rents follow prices")
    pass_through_social: float = param(0.25, "share", 0, 1, "MODEL 5.8: social rents are regulated")
    social_rent_discount: float = param(
        0.60, "share of market", 0, 1, "assumption: ARA rents ~60% of market"
    )
    persons_per_dwelling: float = param(
        1.9, "persons/dwelling", 0.5, 10, "Helsinki: ~695,000 residents in ~370,000 dwellings"
    )
    price_trend_per_year: float = param(
        0.02,
        "1/year",
        -0.5,
        0.5,
        "Helsinki 3,963 (2015) to 4,491 (2020) EUR/m2 is ~2.5%/year nominal; "
        "2% keeps to the longer-run trend",
    )


@dataclass(frozen=True)
class Migration:
    """Move-out hazard, newcomers and construction (MODEL 5.8)."""

    move_rate_owner_per_year: float = param(
        0.08, "1/year", 0, 1, "MODEL 5.12; owners 0.05-0.15 (MODEL 7)"
    )
    move_rate_private_per_year: float = param(
        0.25, "1/year", 0, 1, "MODEL 5.12; renters 0.20-0.30 (MODEL 7)"
    )
    move_rate_social_per_year: float = param(0.10, "1/year", 0, 1, "MODEL 5.12")
    alpha_attachment: float = param(0.5, "log hazard per unit", 0, None, "assumption")
    alpha_identity: float = param(0.5, "log hazard per unit", 0, None, "assumption")
    alpha_burden: float = param(3.0, "log hazard per unit burden above cap", 0, None, "assumption")
    burden_cap: float = param(
        0.35, "cost/income", 0, 2, "assumption: housing costs above a third of income are a burden"
    )
    alpha_liveability: float = param(1.0, "log hazard per unit", 0, None, "assumption")
    share_leaving_city: float = param(
        0.30,
        "share of movers",
        0,
        1,
        "Helsinki 2022: ~102,000 moves inside the city and ~86,000 across its boundary, "
        "about 43,000 of them out, so about 30% of movers leave (REFERENCES; was 0.40, "
        "which put moves within the city at 10% a year, issue 12)",
    )
    population_growth_per_year: float = param(
        0.0102,
        "1/year",
        -0.2,
        0.2,
        "newcomers replace leavers plus growth: "
        "Helsinki 628,208 (2015) to 695,526 (2025) is 1.02%/year",
    )
    construction_per_year: float = param(
        0.01,
        "share of dwellings/year",
        0,
        0.2,
        "Helsinki grows ~1% a year (628,208 in 2015, 695,526 in 2025)",
    )


@dataclass(frozen=True)
class Population:
    """Resident attributes at the start and of newcomers (MODEL 2, 5.8)."""

    income_median_eur: float = param(
        27000.0,
        "EUR/year",
        1000,
        None,
        "Helsinki median disposable income ~27,000 EUR/person (Statistics Finland)",
    )
    income_sigma: float = param(0.55, "log EUR", 0.01, 3, "assumption: lognormal spread")
    income_price_elasticity: float = param(
        0.7, "log income per log price", 0, 3, "assumption: incomes sorted by price level"
    )
    income_growth_per_year: float = param(
        0.02,
        "1/year",
        -0.5,
        0.5,
        "nominal incomes grow with the price trend (Finnish earnings index ~2%/year), "
        "so burden does not rise by inflation alone",
    )
    newcomer_income_median_eur: float = param(
        24000.0, "EUR/year", 1000, None, "assumption: movers are younger"
    )
    engagement_a: float = param(
        2.0, "Beta a", 0.1, None, "assumption: engagement Beta(2,5), mean ~0.29"
    )
    engagement_b: float = param(5.0, "Beta b", 0.1, None, "assumption")
    owner_engagement_bonus: float = param(
        0.08, "engagement", 0, 1, "owners are better citizens (DiPasquale & Glaeser 1999)"
    )
    orientation_mean_traditional: float = param(0.38, "orientation", 0, 1, "assumption [S5]")
    orientation_mean_creative: float = param(0.58, "orientation", 0, 1, "assumption [S5]")
    orientation_concentration: float = param(6.0, "Beta a+b", 0.5, None, "assumption")
    newcomer_orientation_mean: float = param(
        0.55, "orientation", 0, 1, "assumption: newcomers lean to the future"
    )
    p_competent: float = param(
        0.25, "probability", 0, 1, "assumption: skills a development network can use"
    )


@dataclass(frozen=True)
class Firms:
    """Local firms: entry and exit, interest in product development and partnerships [S1].

    Entry and exit follow MODEL 5.8; product development and partnerships, MODEL 5.5.
    """

    initial_per_1000: float = param(
        25.0, "firms/1,000 residents", 0, None, "assumption: local service firms"
    )
    exit_per_year: float = param(
        0.08, "1/year", 0, 1, "assumption: ~8% of small firms close a year"
    )
    elasticity_attractiveness: float = param(0.5, "elasticity", 0, None, "assumption")
    interest_mean: float = param(
        0.15,
        "interest 0..1",
        0.001,
        0.999,
        "assumption [S1]: most local firms are services; a few develop products",
    )
    interest_concentration: float = param(
        4.0, "Beta a + b", 0.1, 1000, "assumption: interest ~ Beta(mean * c, (1 - mean) * c)"
    )
    partnerships_per_1000_per_year: float = param(
        0.15,
        "partnerships/1,000 firms/year",
        0,
        1000,
        "assumption [S1]: calibrated so that local partners are about as many as outside partners "
        "in the default city (0.2-0.25 per district)",
    )


@dataclass(frozen=True)
class Knowledge:
    """Collective knowledge and competence (MODEL 5.4) [S4]."""

    gamma_k: float = param(
        0.10, "person-months documented per active person-month", 0, 1, "assumption"
    )
    doc_share: float = param(
        0.3, "share", 0, 1, "assumption: share of activity that gets documented"
    )
    half_life_public_years: float = param(
        5.0, "years", 0.1, None, "MODEL 5.12: documented knowledge ~5 years"
    )
    half_life_private_years: float = param(
        1.5, "years", 0.1, None, "MODEL 5.12: undocumented knowledge decays faster"
    )
    public_share_web: float = param(
        0.6, "share", 0, 1, "assumption: a website or social channel publishes what is documented"
    )
    public_share_none: float = param(0.1, "share", 0, 1, "assumption")


@dataclass(frozen=True)
class Partnerships:
    """Outside firms and research institutes, partnerships and innovations (MODEL 5.5) [S1, S4]."""

    n_outside_firms: int = param(
        40,
        "firms",
        0,
        10000,
        "assumption: firms in the region with an interest in product development [S1]",
    )
    n_research_institutes: int = param(
        8,
        "institutes",
        0,
        1000,
        "assumption: universities and institutes of the Helsinki region [S1]",
    )
    capacity_per_firm: int = param(
        2, "partnerships", 1, 100, "assumption: a firm runs a couple of district pilots at a time"
    )
    capacity_per_institute: int = param(
        4, "partnerships", 1, 100, "assumption: an institute runs several field studies at a time"
    )
    rate_per_year: float = param(
        0.3,
        "partnerships/year",
        0,
        100,
        "assumption: a visible, knowledgeable district gains a partner every few years",
    )
    visibility_ref: float = param(
        0.2,
        "probability",
        0.001,
        1,
        "outside visibility at which the partnership rate is the base rate",
    )
    platform_multiplier: float = param(
        3.0, "ratio", 1, 100, "assumption: platform status makes a district a known partner [S3]"
    )
    duration_months: int = param(24, "months", 1, 240, "assumption: a two-year project")
    experts_per_partnership: float = param(
        3.0,
        "persons",
        0,
        1000,
        "assumption: outside experts a partner brings (competence network, external resources)",
    )
    eur_per_partnership_per_year: float = param(
        40000.0,
        "EUR/year",
        0,
        None,
        "assumption: a partner's own contribution (external resources)",
    )
    knowledge_half_saturation: float = param(
        2000.0, "person-months", 1, None, "knowledge at which k_d = 0.5 (k = K / (K + K_half))"
    )
    competence_half_saturation: float = param(
        300.0, "persons", 1, None, "competence network at which c_d = 0.5"
    )
    lambda0_per_year: float = param(
        1.0,
        "innovations/year",
        0,
        1000,
        "assumption: a few innovations a year in platforms (MODEL 5.12)",
    )
    exponent_knowledge: float = param(1.0, "elasticity", 0, 10, "MODEL 5.5 a")
    exponent_competence: float = param(1.0, "elasticity", 0, 10, "MODEL 5.5 b")
    mode_multiplier_traditional: float = param(
        0.1, "ratio", 0, 10, "MODEL 5.12: innovations are rare in traditional districts [S5]"
    )
    mode_multiplier_creative: float = param(0.5, "ratio", 0, 10, "assumption [S5]")
    mode_multiplier_platform: float = param(
        1.0, "ratio", 0, 10, "reference: innovation platforms [S5]"
    )
    value_median_eur: float = param(
        150000.0, "EUR", 0, None, "assumption: heavy-tailed commercial value (lognormal)"
    )
    value_sigma: float = param(1.2, "log EUR", 0, 5, "assumption: heavy tail")
    benefit_per_innovation: float = param(
        0.04, "liveability units", 0, 1, "assumption: an innovation's local benefit [S4]"
    )
    benefit_half_life_years: float = param(
        2.0, "years", 0.1, None, "assumption: local benefit fades over a few years"
    )
    platform_record_innovations: int = param(
        3,
        "innovations in 3 years",
        1,
        1000,
        "MODEL 5.11: a record of innovations also makes a creative district a platform",
    )


@dataclass(frozen=True)
class Program:
    """The annual innovation-platform call and program year (MODEL 5.9, 5.10) [S3, S4]."""

    enabled: bool = param(False, "switch", None, None, "a scenario enables the program [S3]")
    last_call_year: int = param(
        1000,
        "program year",
        0,
        1000,
        "calls open in program years 0..last_call_year; set it to stop the program (P4)",
    )
    budget_eur_per_year: float = param(
        1500000.0,
        "EUR/year",
        0,
        None,
        "assumption: funds a handful of platforms a year (MODEL 5.12)",
    )
    grant_eur_per_year: float = param(250000.0, "EUR/year per platform", 1, None, "assumption")
    staff_persons_per_platform: float = param(
        1.0, "persons", 0, 100, "assumption: a coordinator per platform"
    )
    hours_per_staff_person: float = param(
        120.0, "hours/month", 0, 200, "a part-time coordinator adds hours to the association"
    )
    municipality_share: float = param(0.4, "share of budget", 0, 1, "assumption [S1]")
    state_share: float = param(0.3, "share of budget", 0, 1, "assumption [S1]")
    allocation: str = param(
        "competitive",
        "competitive|equal",
        None,
        None,
        "P6: a competitive call scores evidence; equal splits the budget among applicants",
    )
    apply_orientation: float = param(
        0.5,
        "orientation",
        0,
        1,
        "MODEL 5.9: a district applies when its lead association looks to the future",
    )
    apply_volunteers_per_10k: float = param(
        20.0, "volunteers/10,000 residents", 0, None, "MODEL 5.9: and has the capacity"
    )
    w_commercial: float = param(1.0, "weight", 0, None, "criterion 1 [S4]")
    w_external: float = param(1.0, "weight", 0, None, "criterion 2 [S4]")
    w_knowledge: float = param(1.0, "weight", 0, None, "criterion 3 [S4]")
    w_competence: float = param(1.0, "weight", 0, None, "criterion 4 [S4]")
    w_support: float = param(
        0.0,
        "weight",
        0,
        None,
        "criterion 5 [S4]; 0 by default so past funding does not score itself",
    )
    w_benefit: float = param(1.0, "weight", 0, None, "criterion 6 [S4]")
    w_structure: float = param(1.0, "weight", 0, None, "criterion 7 [S4]")
    score_per_capita: bool = param(
        True,
        "switch",
        None,
        None,
        "the funder compares results per 10,000 residents, not absolute size "
        "(otherwise large districts win by size)",
    )
    quality_weight: float = param(
        1.0,
        "score units per unit quality",
        0,
        None,
        "assumption: how much the application itself (0..1) counts beside the evidence",
    )
    sparring: bool = param(True, "switch", None, None, "stage 2 [S3]")
    sparring_gain: float = param(
        0.5,
        "share of quality gap closed",
        0,
        1,
        "assumption: coaching removes part of an application's weakness",
    )
    complementing: bool = param(True, "switch", None, None, "stage 3 [S3]")
    complementing_gain: float = param(0.25, "share of quality gap closed", 0, 1, "assumption")
    matchmaking: bool = param(True, "switch", None, None, "stage 4 [S3]")
    matchmaking_partners: int = param(
        1,
        "partnerships",
        0,
        10,
        "assumption: kick-off matches each new platform with an outside actor",
    )
    benchmarking: bool = param(True, "switch", None, None, "stage 5 [S3]")
    benchmarking_rate: float = param(
        0.1,
        "share of gap",
        0,
        1,
        "assumption: platforms close part of their knowledge gap to the best",
    )
    structuring: bool = param(True, "switch", None, None, "stage 6 [S3]")
    structuring_gain: float = param(
        0.3, "share", 0, 10, "assumption: clear themes and roles raise innovation efficiency"
    )
    evaluation: bool = param(True, "switch", None, None, "stage 7 [S3]")
    evaluation_innovations_ref: float = param(
        2.0,
        "innovations/year",
        0.1,
        None,
        "assumption: innovations in a year that count as full marks in the process evaluation",
    )
    evaluation_weight: float = param(
        0.2,
        "probability per unit score",
        0,
        1,
        "assumption: a good evaluation helps find continuation funding",
    )
    continuation_probability: float = param(
        0.5, "probability", 0, 1, "stage 8 [S3]: continuation funding is not guaranteed"
    )
    legacy_half_life_years: float = param(
        1.0,
        "years",
        0,
        None,
        "P4 [S3]: after a lapse the platform's routines, roles and standing with partners fade "
        "with this half-life (0 = at once); assumption",
    )
    innovation_multiplier_per_grant: float = param(
        0.5,
        "ratio",
        0,
        100,
        "funding raises the innovation rate in proportion to grant / grant_eur_per_year",
    )


@dataclass(frozen=True)
class Params:
    """All parameter sections; ``Params()`` gives the documented defaults."""

    communication: Communication = field(default_factory=Communication)
    mobilisation: Mobilisation = field(default_factory=Mobilisation)
    associations: Associations = field(default_factory=Associations)
    network: Network = field(default_factory=Network)
    identity: Identity = field(default_factory=Identity)
    liveability: Liveability = field(default_factory=Liveability)
    reputation: Reputation = field(default_factory=Reputation)
    attractiveness: Attractiveness = field(default_factory=Attractiveness)
    housing: Housing = field(default_factory=Housing)
    migration: Migration = field(default_factory=Migration)
    population: Population = field(default_factory=Population)
    firms: Firms = field(default_factory=Firms)
    knowledge: Knowledge = field(default_factory=Knowledge)
    partnerships: Partnerships = field(default_factory=Partnerships)
    program: Program = field(default_factory=Program)


SECTIONS: dict[str, type] = {
    f.name: f.type if isinstance(f.type, type) else globals()[f.type]
    for f in dataclasses.fields(Params)
}


def param_rows() -> list[dict[str, Any]]:
    """Return one row per parameter: section, name, unit, default, range, source."""
    rows = []
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            rows.append(
                {
                    "section": section,
                    "name": f.name,
                    "unit": f.metadata["unit"],
                    "default": default,
                    "lo": f.metadata["lo"],
                    "hi": f.metadata["hi"],
                    "source": f.metadata["source"],
                }
            )
    return rows


def params_to_dict(params: Params) -> dict[str, dict[str, Any]]:
    """Return the parameters as nested plain dicts (tuples become lists)."""
    out: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        values = dataclasses.asdict(getattr(params, section))
        out[section] = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    return out
