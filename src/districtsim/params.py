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


def param(
    default: Any,
    unit: str,
    lo: float | None,
    hi: float | None,
    source: str,
    *,
    plausible: tuple[float, float, str] | None = None,
    fixed: str | None = None,
    meaning: str | None = None,
) -> Any:
    """Declare a parameter field with its unit, range and source.

    The same declaration serves the settings of an intervention type
    (:mod:`districtsim.interventions`). A model parameter (a field of a section of
    :class:`Params`) also says whether it is a behavioural assumption that a
    sensitivity analysis or a calibration varies: ``plausible`` gives the range in
    which its value is believed to lie and the reason (a source and its figure, or
    the convention used where there is none); ``fixed`` says why it is not varied
    (a switch, a choice, a definition, a reference scaling, a policy lever the
    user sets). ``tests/test_docs.py`` checks that every model parameter has one of
    the two and that the default lies in its plausible range.

    Args:
        default: Default value (float, int, bool, text or tuple of ints), or
            :data:`REQUIRED` for a value the table must give.
        unit: Unit in words, e.g. ``"1/year"`` or ``"EUR/m2"``; for text, the
            choices, e.g. ``"competitive|equal"``.
        lo: Lowest allowed value (inclusive), or None.
        hi: Highest allowed value (inclusive), or None.
        source: Source of the default, or the reason for it.
        plausible: ``(low, high, reason)``: the plausible range (inclusive, inside
            ``lo..hi``) and its reason.
        fixed: Why the parameter is not varied as an assumption.
        meaning: What the parameter does, in one line for a student (the dashboard shows it
            beside the parameter's control; every parameter the dashboard offers has one).

    Returns:
        A dataclass field carrying the metadata.
    """
    if plausible is not None and fixed is not None:
        raise ValueError("param: give either a plausible range or a reason it is fixed, not both")
    meta = {
        "unit": unit,
        "lo": lo,
        "hi": hi,
        "source": source,
        "plausible": None if plausible is None else (plausible[0], plausible[1]),
        "plausible_reason": plausible[2] if plausible is not None else fixed,
        "meaning": meaning,
    }
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
        (
            "VPT 2009 survey of Finnish local papers (10,088 interviews): a free city paper "
            "reaches 59% of residents in a week, 26% read it cover to cover; a third reached "
            "in a month sits between"
        ),
        plausible=(
            0.15,
            0.45,
            (
                "assumption: half to 1.5x default; Finnish print readership is high, but a "
                "volunteer monthly seldom reaches over ~45%"
            ),
        ),
    )
    reach_website: float = param(
        0.06,
        "probability/month",
        0,
        1,
        "assumption: few residents visit a district website in a month",
        plausible=(0.03, 0.12, "assumption: half to double the default"),
    )
    reach_social_media: float = param(
        0.15,
        "probability/month",
        0,
        1,
        "assumption: a district Facebook group reaches its members and their friends",
        plausible=(
            0.075,
            0.3,
            (
                "assumption: half to double the default; local Facebook groups can count 25-50% of"
                " residents, fewer read monthly"
            ),
        ),
        meaning="the chance a month that a district's social media reaches a resident",
    )
    reach_forum: float = param(
        0.03,
        "probability/month",
        0,
        1,
        "assumption: a district forum draws a few percent of residents",
        plausible=(0.015, 0.06, "assumption: half to double the default"),
    )
    outside_paper: float = param(
        0.01,
        "probability",
        0,
        1,
        "assumption: a paper is seldom read outside its district",
        plausible=(0.005, 0.02, "assumption: half to double the default"),
    )
    outside_website: float = param(
        0.10,
        "probability",
        0,
        1,
        "assumption: a website is the main window to outsiders [S2]",
        plausible=(0.05, 0.2, "assumption: half to double the default"),
    )
    outside_social_media: float = param(
        0.08,
        "probability",
        0,
        1,
        "assumption: shared posts reach outsiders [S2]",
        plausible=(0.04, 0.16, "assumption: half to double the default"),
    )
    outside_forum: float = param(
        0.03,
        "probability",
        0,
        1,
        "assumption: forums invite officials and firms now and then [S2]",
        plausible=(0.015, 0.06, "assumption: half to double the default"),
    )
    upkeep_paper_hours: float = param(
        120.0,
        "volunteer hours/month",
        0,
        None,
        "assumption: editing and distributing a monthly paper",
        plausible=(
            60.0,
            240.0,
            (
                "assumption: half to double the default (editing, layout and delivery to ~10,000 "
                "households)"
            ),
        ),
    )
    upkeep_website_hours: float = param(
        12.0,
        "volunteer hours/month",
        0,
        None,
        "assumption",
        plausible=(6.0, 24.0, "assumption: half to double the default"),
    )
    upkeep_social_media_hours: float = param(
        20.0,
        "volunteer hours/month",
        0,
        None,
        "assumption",
        plausible=(10.0, 40.0, "assumption: half to double the default"),
    )
    upkeep_forum_hours: float = param(
        30.0,
        "volunteer hours/month",
        0,
        None,
        "assumption: one evening forum a month with preparation",
        plausible=(15.0, 60.0, "assumption: half to double the default"),
    )
    reach_background: float = param(
        0.075,
        "probability/month",
        0,
        1,
        "city-wide media, the city's own channels and word of mouth outside associations reach "
        "residents whatever the district runs (no absorbing silence); " + CALIBRATED,
        plausible=(
            0.03,
            0.1,
            (
                "calibrated (issue 12): bounds of the Latin-hypercube search in "
                "civic_calibration_search.py"
            ),
        ),
    )
    q_tie: float = param(
        0.10,
        "probability per active tie",
        0,
        1,
        "assumption: word of mouth from an active acquaintance",
        plausible=(0.05, 0.2, "assumption: half to double the default"),
        meaning=(
            "the chance a month that each tie to an active resident tells a resident about civic "
            "activity"
        ),
    )
    event_reach_traditional: float = param(
        0.04,
        "probability",
        0,
        1,
        "MODEL 5.3: traditional events have a small reach",
        plausible=(
            0.02,
            0.08,
            (
                "assumption: half to double the default; stays below event_reach_creative's range "
                "(MODEL 5.3, P3)"
            ),
        ),
    )
    event_reach_creative: float = param(
        0.16,
        "probability",
        0,
        1,
        "MODEL 5.3: festivals and development events reach more; " + CALIBRATED,
        plausible=(
            0.15,
            0.35,
            (
                "calibrated (issue 12): search bounds in civic_calibration_search.py; above "
                "event_reach_traditional's range"
            ),
        ),
    )
    upkeep_reference_persons: float = param(
        20000.0,
        "persons",
        1,
        None,
        "the district size whose channels take the upkeep hours above (two_districts' districts)",
        fixed=(
            "reference scaling: the district size the upkeep hours refer to; varying it only "
            "rescales those hours"
        ),
    )
    upkeep_size_elasticity: float = param(
        1.0,
        "elasticity",
        0,
        1,
        "a channel for fewer residents takes fewer hours (distribution, moderation): hours x "
        "(population / reference)^elasticity; 1 = hours per resident (0 = every district pays "
        "the same hours); " + CALIBRATED,
        plausible=(
            0.5,
            1.0,
            (
                "calibrated (issue 12): the search used 0.5, default 1; near 0 small districts "
                "lose their paper (ODD 9)"
            ),
        ),
    )
    lapse_grace_months: int = param(
        3,
        "months",
        1,
        24,
        "assumption: a channel survives a short gap in volunteer hours",
        plausible=(
            1,
            6,
            "assumption: a channel survives a gap of one to six months in volunteer hours",
        ),
    )
    relaunch_margin: float = param(
        1.5,
        "ratio",
        1,
        10,
        "assumption: a lapsed channel restarts when spare hours exceed its upkeep by this factor "
        "for the grace period",
        plausible=(
            1.2,
            2.5,
            (
                "assumption: a restart needs 20-150% spare hours; 1 would remove the "
                "keep-but-not-start hysteresis (P5)"
            ),
        ),
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
        plausible=(
            0.1,
            0.35,
            (
                "calibrated (issue 12): search bounds in civic_calibration_search.py; the former "
                "0.5 made districts run away"
            ),
        ),
    )
    a_engagement: float = param(
        0.60,
        "motivation per unit engagement",
        0,
        None,
        "assumption",
        plausible=(
            0.45,
            0.75,
            (
                "assumption: default +-25%; theta_mean was calibrated with it, so wider moves city"
                " participation off single digits"
            ),
        ),
    )
    a_tenure: float = param(
        0.20,
        "motivation at full attachment",
        0,
        None,
        "long-stayers participate more (Glaeser et al. 2002)",
        plausible=(
            0.1,
            0.3,
            (
                "assumption: default +-50%; sign from Glaeser et al. 2002 (long-stayers take part "
                "more), size unsourced"
            ),
        ),
    )
    attachment_months: float = param(
        60.0,
        "months",
        1,
        None,
        "assumption: attachment builds over about five years",
        plausible=(36.0, 120.0, "assumption: attachment builds over three to ten years"),
    )
    b_social: float = param(
        0.34,
        "motivation per share of active ties",
        0,
        None,
        "Granovetter (1978): the threshold is on the share of others acting; " + CALIBRATED,
        plausible=(
            0.1,
            0.5,
            (
                "calibrated (issue 12): bounds of the Latin-hypercube search in "
                "civic_calibration_search.py"
            ),
        ),
        meaning=(
            "how much it motivates a resident that their ties took part last month (the share of "
            "active ties)"
        ),
    )
    b_event: float = param(
        0.36,
        "motivation in an event month",
        0,
        None,
        "assumption: an event is a concrete occasion to take part; " + CALIBRATED,
        plausible=(
            0.15,
            0.45,
            (
                "calibrated (issue 12): bounds of the Latin-hypercube search in "
                "civic_calibration_search.py"
            ),
        ),
    )
    tau: float = param(
        0.14,
        "motivation units",
        1e-6,
        None,
        "assumption; tau -> 0 gives the deterministic threshold model; " + CALIBRATED,
        plausible=(
            0.08,
            0.2,
            (
                "calibrated (issue 12): bounds of the Latin-hypercube search in "
                "civic_calibration_search.py"
            ),
        ),
    )
    theta_mean: float = param(
        1.045,
        "motivation units",
        None,
        None,
        "city participation of a few % a month (MODEL 7) with districts between about 1% "
        "and 13%; " + CALIBRATED + "; issue 13's calibration (docs/calibration.md): the "
        "participation and members targets hold together only for 0.967-1.15",
        plausible=(
            0.85,
            1.15,
            (
                "calibrated (issue 12): search bounds; the search scored city participation 3-8% a"
                " month (MODEL 7)"
            ),
        ),
        meaning=(
            "the average threshold: how much motivation a reached resident needs to take part "
            "(higher: fewer take part)"
        ),
    )
    theta_sd: float = param(
        0.18,
        "motivation units",
        0,
        None,
        "calibrated with theta_mean; " + CALIBRATED,
        plausible=(
            0.18,
            0.4,
            (
                "calibrated (issue 12): search bounds in civic_calibration_search.py; the default "
                "sits at the lower bound"
            ),
        ),
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
        plausible=(
            0.006,
            0.018,
            (
                "calibrated (issue 12): sub-range of the LHS search bounds 0.003-0.03; 0.017 grew "
                "membership ~25% in 20 years (ODD 9)"
            ),
        ),
    )
    p_join_reached_per_month: float = param(
        0.005,
        "probability/month per unit engagement",
        0,
        1,
        "residents reached this month join in proportion to their engagement, not only active "
        "ones (so membership does not collapse onto participation); " + CALIBRATED,
        plausible=(
            0.002,
            0.006,
            (
                "calibrated (issue 12): LHS search bounds 0-0.006, without 0, which lets "
                "membership collapse onto participation"
            ),
        ),
    )
    member_exit_per_year: float = param(
        0.20,
        "probability/year",
        0,
        0.999,
        "assumption: memberships lapse after about five years",
        plausible=(
            0.1,
            0.3,
            (
                "assumption: memberships last about 3-10 years (default 5); with p_join it sets "
                "the long-run member share"
            ),
        ),
    )
    volunteer_engagement_cut: float = param(
        0.47,
        "engagement",
        0,
        1,
        "assumption: the more engaged members volunteer; the engagement at which a member's "
        "share of volunteering months is one half (0.45 as a sharp cut before issue 12's third "
        "session; 0.47 keeps the initial members' volunteering at 0.40)",
        plausible=(
            0.4,
            0.55,
            (
                "assumption: default +-0.07; linked to the width: cut 0.47 with width 0.1 keeps "
                "40% of initial members volunteering"
            ),
        ),
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
        plausible=(
            0.05,
            0.15,
            (
                "assumption: half to 1.5x the default; 0 (MODEL's sharp cut) made small districts "
                "scale-dependent; pairs with the cut"
            ),
        ),
    )
    hours_per_volunteer: float = param(
        4.0,
        "hours/month",
        0,
        None,
        "assumption: an evening a month",
        plausible=(
            2.0,
            8.0,
            (
                "assumption: half to double the default (an evening a month); no Finnish figure at"
                " hand"
            ),
        ),
    )
    hours_smoothing_months: float = param(
        24.0,
        "months",
        1,
        120,
        "the time constant of the exponential average of volunteer hours that channel upkeep "
        "and events draw on (volunteers spread their work; no channel hinges on one month of "
        "a few simulated persons); 1 means this month's hours; " + CALIBRATED,
        plausible=(
            12.0,
            36.0,
            (
                "calibrated (issue 12, not in the LHS); assumption: volunteers spread work over "
                "one to three years"
            ),
        ),
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
        fixed="switch between two rules (issue 12); a structural choice, not a quantity",
    )
    event_hours: float = param(
        40.0,
        "volunteer hours/event",
        0,
        None,
        "assumption",
        plausible=(
            20.0,
            80.0,
            "assumption: half to double the default 40 volunteer hours per event",
        ),
    )
    events_per_year_traditional: float = param(
        4.0,
        "events/year",
        0,
        12,
        "assumption: annual meeting, seasonal gatherings [S5]",
        plausible=(
            2.0,
            6.0,
            (
                "assumption: annual meeting plus a few gatherings [S5]; stays at or below the "
                "creative range (P3)"
            ),
        ),
    )
    events_per_year_creative: float = param(
        8.0,
        "events/year",
        0,
        12,
        "assumption: festivals and development events [S5]",
        plausible=(
            6.0,
            12.0,
            (
                "assumption: festivals and development events [S5], up to monthly; stays at or "
                "above the traditional range"
            ),
        ),
    )
    festival_months: tuple[int, ...] = param(
        (5, 6, 8, 9),
        "calendar months",
        1,
        12,
        "assumption: outdoor festivals need no meeting place, May-September",
        fixed="tuple of calendar months: a scenario/calendar setting, not a quantity to vary",
    )
    omega_per_year: float = param(
        0.10,
        "share of gap closed/year",
        0,
        0.999,
        "assumption: orientation follows the active members over about ten years",
        plausible=(
            0.05,
            0.2,
            (
                "assumption: half to double; orientation follows the active members over about "
                "5-20 years"
            ),
        ),
        meaning=(
            "how fast an association's orientation moves toward its active members' (share of the"
            " gap closed a year)"
        ),
    )
    mode_cut: float = param(
        0.50,
        "orientation",
        0,
        1,
        "MODEL 5.11",
        fixed=(
            "definition of the operating mode (MODEL 5.11); the initial orientations are set "
            "relative to it"
        ),
        meaning=(
            "the orientation from which an association counts as creative (and its district, when"
            " the lead is)"
        ),
    )
    initial_orientation_traditional: float = param(
        0.25,
        "orientation",
        0,
        1,
        "assumption: interest group looking to history [S5]",
        plausible=(
            0.15,
            0.4,
            (
                "assumption: default +-0.1/0.15, kept below mode_cut 0.5 so the district starts "
                "traditional [S5]"
            ),
        ),
    )
    initial_orientation_creative: float = param(
        0.75,
        "orientation",
        0,
        1,
        "assumption: developer network looking to the future [S5]",
        plausible=(
            0.6,
            0.85,
            (
                "assumption: default +-0.1/0.15, kept at or above mode_cut 0.5 so the district "
                "starts creative [S5]"
            ),
        ),
    )
    tie_building_per_event: float = param(
        0.20,
        "probability per attendee",
        0,
        1,
        "MODEL 5.3: creative events build ties across groups",
        plausible=(0.1, 0.4, "assumption: half to double the default; MODEL 5.3 gives no figure"),
    )
    initial_member_share: float = param(
        0.04,
        "share of residents",
        0,
        1,
        "Helka: a few % of residents are members",
        plausible=(
            0.02,
            0.08,
            (
                "a few % are members (Helka); Norway 2017: 6% did unpaid work for a residents' "
                "association"
            ),
        ),
    )
    housing_company_everywhere: bool = param(
        True,
        "switch",
        None,
        None,
        "MODEL 2: housing companies and tenant committees exist in every district",
        fixed="switch: which association kinds exist (MODEL 2), a structural/scenario choice",
    )
    school_everywhere: bool = param(
        True,
        "switch",
        None,
        None,
        "MODEL 2: every district has a school with a parents' association",
        fixed="switch: which association kinds exist (MODEL 2), a structural/scenario choice",
    )
    developer_network_in_creative: bool = param(
        True,
        "switch",
        None,
        None,
        "assumption [S5]: creative districts start with a developer network; others do not",
        fixed="switch: which association kinds exist [S5], a structural/scenario choice",
    )
    join_weight_housing_company: float = param(
        0.6,
        "weight (lead = 1)",
        0,
        100,
        "assumption: owners' and tenants' own affairs draw many members",
        plausible=(0.3, 1.2, "assumption: half to double the default (lead = 1); no figure found"),
    )
    join_weight_school: float = param(
        0.4,
        "weight (lead = 1)",
        0,
        100,
        "assumption: only parents of school children join",
        plausible=(
            0.2,
            0.8,
            "assumption: half to double the default (lead = 1); only parents join",
        ),
    )
    join_weight_developer_network: float = param(
        0.6,
        "weight (lead = 1)",
        0,
        100,
        "assumption",
        plausible=(0.3, 1.2, "assumption: half to double the default (lead = 1); no figure found"),
    )
    initial_orientation_housing_company: float = param(
        0.2,
        "orientation",
        0,
        1,
        "assumption [S5]: upkeep and preservation of property",
        plausible=(
            0.1,
            0.35,
            (
                "assumption: default -0.1/+0.15, kept below mode_cut 0.5: upkeep and preservation "
                "of property [S5]"
            ),
        ),
    )
    initial_orientation_school: float = param(
        0.45,
        "orientation",
        0,
        1,
        "assumption: children's future and local tradition nearly in balance, "
        "just below the mode cut",
        plausible=(
            0.35,
            0.49,
            (
                "assumption: default -0.1, upper end kept just below mode_cut 0.5 so the school "
                "starts traditional"
            ),
        ),
    )
    initial_orientation_developer_network: float = param(
        0.85,
        "orientation",
        0,
        1,
        "assumption [S5]: developer network looking to the future",
        plausible=(
            0.7,
            0.95,
            "assumption: default +-0.15/0.1, well above mode_cut 0.5: looking to the future [S5]",
        ),
    )
    event_factor_housing_company: float = param(
        0.1,
        "ratio to the lead's event rate",
        0,
        10,
        "assumption: the annual meeting; calibrated with the others so that monthly participation "
        "stays near the P8 range",
        plausible=(
            0.05,
            0.25,
            (
                "assumption, set for P8 participation: 0.2-1 events a year at the traditional rate"
                " 4 (one annual meeting)"
            ),
        ),
    )
    event_factor_school: float = param(
        0.2,
        "ratio to the lead's event rate",
        0,
        10,
        "assumption: a school fair or two a year; calibrated (P8 participation)",
        plausible=(
            0.1,
            0.5,
            (
                "assumption, set for P8 participation: about 0.4-2 school events a year at the "
                "traditional rate 4"
            ),
        ),
    )
    event_factor_developer_network: float = param(
        0.35,
        "ratio to the lead's event rate",
        0,
        10,
        "assumption [S5]: development events and workshops; calibrated (P8 participation)",
        plausible=(
            0.2,
            0.6,
            (
                "assumption, set for P8 participation: about 1.6-4.8 events a year at the creative"
                " rate 8"
            ),
        ),
    )


@dataclass(frozen=True)
class Network:
    """Social ties between residents (MODEL 2)."""

    ties_per_resident: int = param(
        8,
        "ties",
        1,
        100,
        "assumption: neighbourhood acquaintances",
        plausible=(
            4,
            15,
            (
                "assumption: 4-15 local acquaintances; Pew 2010: 43% of US adults know most or all"
                " neighbours by name"
            ),
        ),
    )
    share_within_district: float = param(
        0.85,
        "share",
        0,
        1,
        "assumption: most local ties are inside the district",
        plausible=(
            0.7,
            0.95,
            (
                "assumption: most local ties stay inside the district; the rest go to adjacent "
                "districts"
            ),
        ),
        meaning=(
            "the share of a resident's ties that stay inside their own district (the rest go to "
            "adjacent ones)"
        ),
    )


@dataclass(frozen=True)
class Identity:
    """Identity relaxes toward a target (MODEL 5.6)."""

    time_constant_months: float = param(
        24.0,
        "months",
        1,
        None,
        "MODEL 5.12: identity ~2 years",
        plausible=(12.0, 48.0, "MODEL 5.12 gives ~2 years; assumption: half to double"),
    )
    w_coverage: float = param(
        0.35,
        "weight",
        0,
        1,
        "assumption [S4]",
        plausible=(
            0.25,
            0.45,
            (
                "assumption: default +-0.1; the three identity weights are normalised by their "
                "sum, so any mix is valid"
            ),
        ),
    )
    w_participation: float = param(
        0.45,
        "weight",
        0,
        1,
        "assumption [S4]",
        plausible=(
            0.35,
            0.55,
            (
                "assumption: default +-0.1; the three identity weights are normalised by their "
                "sum, so any mix is valid"
            ),
        ),
    )
    w_events: float = param(
        0.20,
        "weight",
        0,
        1,
        "assumption [S4]",
        plausible=(
            0.1,
            0.3,
            (
                "assumption: default +-0.1; the three identity weights are normalised by their "
                "sum, so any mix is valid"
            ),
        ),
    )
    coverage_ref: float = param(
        0.50,
        "share",
        0.01,
        1,
        "coverage that counts as full",
        plausible=(
            0.3,
            0.7,
            (
                "assumption: default +-0.2; all four channels give coverage 0.46 (ODD 7.2), a "
                "paper alone 0.30"
            ),
        ),
    )
    participation_ref: float = param(
        0.10,
        "share",
        0.001,
        1,
        "participation rate that counts as full",
        plausible=(
            0.06,
            0.173,
            (
                "full participation between Norway 2017 (6% in community work) and EU 2015 formal "
                "volunteering (17.3%)"
            ),
        ),
    )
    events_ref_per_year: float = param(
        8.0,
        "events/year",
        0.1,
        None,
        "events a year that count as full",
        plausible=(
            4.0,
            12.0,
            (
                "assumption: from a traditional lead's 4 events a year to monthly; also caps "
                "liveability's event term"
            ),
        ),
    )


@dataclass(frozen=True)
class Liveability:
    """Liveability relaxes toward a target (MODEL 5.6)."""

    time_constant_months: float = param(
        12.0,
        "months",
        1,
        None,
        "MODEL 5.12: liveability ~1 year",
        plausible=(6.0, 24.0, "MODEL 5.12 gives ~1 year; assumption: half to double"),
    )
    base: float = param(
        0.20,
        "liveability",
        0,
        1,
        "assumption",
        plausible=(
            0.1,
            0.3,
            "assumption: default +-0.1; the liveability target is clipped to 0..1",
        ),
    )
    w_amenity: float = param(
        0.30,
        "weight",
        0,
        1,
        "location and green space (Tyrvainen & Miettinen 2000)",
        plausible=(
            0.2,
            0.4,
            (
                "assumption: default +-0.1; amenity capitalises (Tyrvainen & Miettinen 2000), "
                "weight unsourced"
            ),
        ),
    )
    w_meeting_places: float = param(
        0.15, "weight", 0, 1, "assumption [S1]", plausible=(0.05, 0.25, "assumption: default +-0.1")
    )
    meeting_places_ref_per_10k: float = param(
        1.0,
        "places/10,000 residents",
        0.01,
        None,
        "assumption",
        plausible=(
            0.5,
            2.0,
            "assumption: half to double; the default city's districts have 0-3 resident houses",
        ),
    )
    w_events: float = param(
        0.10,
        "weight",
        0,
        1,
        "assumption",
        plausible=(0.05, 0.2, "assumption: half to double the default"),
    )
    w_services: float = param(
        0.20,
        "weight",
        0,
        1,
        "assumption: local firms as services",
        plausible=(0.1, 0.3, "assumption: default +-0.1"),
    )
    firms_ref_per_1000: float = param(
        25.0,
        "firms/1,000 residents",
        0.1,
        None,
        "assumption",
        plausible=(
            15.0,
            40.0,
            "assumption: about 0.6-1.6x the city's ~25 local firms per 1,000 residents (ODD 2.8)",
        ),
    )
    w_benefit: float = param(
        0.10,
        "weight",
        0,
        1,
        "local benefit of innovations [S4]",
        plausible=(0.05, 0.2, "assumption: half to double the default"),
    )
    w_crowding: float = param(
        0.20,
        "weight",
        0,
        None,
        "assumption",
        plausible=(0.1, 0.4, "assumption: half to double the default"),
    )
    crowding_occupancy: float = param(
        0.98,
        "occupied share",
        0,
        1,
        (
            "crowding starts when vacancies fall below 2%: the capital region's large landlords "
            "let 97-98% of their flats in the tight market of 2020 (SATO economic occupancy "
            "97.6%, Kojamo financial occupancy 96.9%, Q1 2020), 92.8-94.4% when it was "
            "oversupplied (Kojamo 2025)"
        ),
        plausible=(
            0.96,
            0.99,
            (
                "assumption: crowding starts at 1-4% vacancy; the model city runs at 2-3% vacant "
                "dwellings (ODD 9)"
            ),
        ),
    )


@dataclass(frozen=True)
class Reputation:
    """Outsiders' reputation with inertia and spill-over (MODEL 5.7)."""

    half_life_years: float = param(
        10.0,
        "years",
        0.1,
        None,
        "MODEL 5.12; Forrester (1969) perception delays of 10-20 years",
        plausible=(
            7.0,
            20.0,
            (
                "Forrester 1969 delays of 10-20 years: as time constants a half-life of 7-14, read"
                " as half-lives 10-20"
            ),
        ),
    )
    w_liveability: float = param(
        0.30,
        "weight",
        0,
        1,
        "assumption [S4]",
        plausible=(
            0.2,
            0.4,
            (
                "assumption: default +-0.1; weights are normalised by their sum; Permentier 2011 "
                "puts social mix above it"
            ),
        ),
    )
    w_achievement: float = param(
        0.15,
        "weight",
        0,
        1,
        "visibility times achievements [S4]",
        plausible=(
            0.05,
            0.25,
            (
                "assumption: default +-0.1; weights normalised by their sum; visibility caps this "
                "term's effect"
            ),
        ),
        meaning=(
            "the weight of civic achievements (events, participation) in a district's reputation"
        ),
    )
    w_status: float = param(
        0.35,
        "weight",
        0,
        1,
        "reputation follows the social mix (Permentier et al. 2011)",
        plausible=(
            0.25,
            0.5,
            (
                "reputation follows the social mix most (Permentier et al. 2011); assumption: "
                "default -0.1/+0.15"
            ),
        ),
    )
    w_spillover: float = param(
        0.20,
        "weight",
        0,
        1,
        "neighbours' reputation (Rossi-Hansberg et al. 2010)",
        plausible=(
            0.1,
            0.3,
            (
                "assumption: default +-0.1; spillovers halve every ~300 m (Rossi-Hansberg 2010), "
                "small across districts"
            ),
        ),
    )
    status_span: float = param(
        1.0,
        "log income ratio",
        0.01,
        None,
        "mean-income log ratio that spans the status scale",
        fixed=(
            "reference scaling of log income onto the 0..1 status scale; status strength is varied"
            " via w_status"
        ),
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
        plausible=(
            2.0,
            6.0,
            (
                "calibrated for P2 (issue 12, not in the LHS; 3 before, now 4); assumption: half "
                "to 1.5x; 0 is P2's switch"
            ),
        ),
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
        plausible=(
            0.5,
            1.0,
            (
                "calibrated (issue 12, not in the LHS); sorting on public goods (Tiebout 1956; "
                "Banzhaf & Walsh 2008)"
            ),
        ),
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
        fixed=(
            "switch: alternative-specific constants set by calibration at month 0 (McFadden 1978),"
            " a technique"
        ),
    )
    b_liveability: float = param(
        2.0,
        "utility per unit",
        0,
        None,
        (
            "assumption: no coefficient for a liveability index found; Helsinki hedonic studies "
            "price single amenities at 1-4% (green space, Votsis 2017) and ~3% (a top-decile "
            "school, Harjunen 2019); against b_price, a liveability step of 0.2 is worth 8 "
            "points of income in housing cost, a bundle of amenities"
        ),
        plausible=(1.0, 4.0, "assumption: half to double the default; no figure found"),
    )
    b_price: float = param(
        5.0,
        "utility per unit of housing cost/income",
        0,
        None,
        "assumption: a district costing 10% more of income is ~40% less likely chosen "
        "(Waddell 2002: price relative to income)",
        plausible=(
            3.0,
            8.0,
            (
                "assumption: 10 points more of income in housing cost cut a district's choice by "
                "26-55% (default 40%)"
            ),
        ),
    )
    b_future: float = param(
        0.8,
        "utility",
        0,
        None,
        "assumption: future-oriented movers prefer creative districts [S4]",
        plausible=(
            0.4,
            1.6,
            (
                "assumption: half to double; a future-oriented mover values a creative district "
                "1.5-5x (default 2.2x)"
            ),
        ),
    )
    b_income_homophily: float = param(
        1.0,
        "utility per unit log income x log income",
        0,
        None,
        "movers prefer districts whose mean income is like their own, "
        "b * (ln y_j - ln y_city) * (ln y_d - ln y_city) (income homophily; Schelling 1971, "
        "Bayer et al. 2007); " + CALIBRATED,
        plausible=(
            0.5,
            2.0,
            (
                "calibrated (issue 12, not in the LHS) to keep income spread; homophily as Bayer "
                "et al. 2007; half to double"
            ),
        ),
    )
    b_near: float = param(
        1.0,
        "utility",
        0,
        None,
        "assumption: in-city movers prefer their own and adjacent districts",
        plausible=(
            0.5,
            2.0,
            (
                "assumption: half to double; own and adjacent districts 1.6-7x as likely (default "
                "2.7x)"
            ),
        ),
    )


@dataclass(frozen=True)
class Housing:
    """Hedonic prices and housing costs (MODEL 5.8)."""

    price_time_constant_months: float = param(
        24.0,
        "months",
        1,
        None,
        "MODEL 5.12: price toward target ~2 years",
        plausible=(
            12.0,
            48.0,
            (
                "MODEL 5.12 ~2 years; half to double: prices adjust to fundamentals over years "
                "(Capozza et al. 2004)"
            ),
        ),
    )
    beta_reputation: float = param(
        0.8,
        "log price per unit",
        0,
        None,
        "0.1 of reputation is ~8% of price directly; most of reputation's effect on prices runs "
        "through demand (beta_demand), so that it depends on who wants to move in (P2); "
        "initial spread comes from district fixed effects; " + CALIBRATED,
        plausible=(
            0.4,
            1.6,
            (
                "calibrated (issue 12) for P2 and the price spread; half to double, 1.6 was the "
                "pre-issue-12 value"
            ),
        ),
        meaning="how strongly a district's reputation raises its housing price",
    )
    beta_liveability: float = param(
        0.6,
        "log price per unit",
        0,
        None,
        "0.1 of liveability is ~6% of price directly, the rest through demand "
        "(Tyrvainen & Miettinen 2000: green amenities ~5%); " + CALIBRATED,
        plausible=(
            0.3,
            1.2,
            (
                "calibrated (issue 12); half to double (0.45 in issue 12's first session); "
                "amenities ~5% of price (Tyrvainen 2000)"
            ),
        ),
    )
    beta_demand: float = param(
        0.6,
        "log price per log demand ratio",
        0,
        None,
        "a district chosen 10% more often than its vacancies warrant has a ~6% higher price "
        "target (the higher price then lowers its demand); demand-led prices (P2); "
        + CALIBRATED
        + "; no direct estimate found (Finland, 1-km grid 2010-2020: +0.16% price per +1% "
        "population, -0.69% per -1%, Aalto University MSc thesis 2024: the same order); issue "
        "13's price targets hold over 0.30-1.18 (docs/calibration.md), so they do not set it",
        plausible=(
            0.3,
            1.2,
            (
                "calibrated (issue 12) for P2; half to double; 0.15 (before issue 12) left prices "
                "deaf to demand"
            ),
        ),
    )
    demand_smoothing_months: float = param(
        12.0,
        "months",
        1,
        None,
        "assumption",
        plausible=(
            6.0,
            24.0,
            (
                "assumption: half to double; also keeps prices scale-invariant, so much shorter is"
                " not advised"
            ),
        ),
    )
    m2_per_person: float = param(
        34.0,
        "m2/person",
        5,
        None,
        "Helsinki ~34 m2 floor area per person (Statistics Finland)",
        fixed=(
            "statistic (Helsinki ~34 m2/person, Statistics Finland) converting EUR/m2 into a "
            "person's housing cost"
        ),
    )
    rent_yield_per_year: float = param(
        0.05,
        "1/year",
        0,
        1,
        (
            "Statistics Finland, rents of non-subsidised dwellings, Q2 2020: Helsinki 21.3 "
            "EUR/m2/month, on the 2020 city mean of old flats, 4,491 EUR/m2: 5.7% gross, a "
            "little less net of the landlord's costs"
        ),
        plausible=(
            0.04,
            0.06,
            (
                "the same release by Helsinki rent zone: 18.6-22.9 EUR/m2/month, on prices from "
                "about 3,000 to 7,000 EUR/m2; yields are lower in dear and higher in cheap areas"
            ),
        ),
    )
    pass_through_owner: float = param(
        0.15,
        "share",
        0,
        1,
        "MODEL 5.8: owners feel price rises less",
        plausible=(
            0.05,
            0.3,
            (
                "assumption around MODEL 5.8 (owners feel price rises less): a third to double the"
                " default"
            ),
        ),
    )
    pass_through_private: float = param(
        1.0,
        "share",
        0,
        1,
        "private rents follow prices",
        plausible=(
            0.7,
            1.0,
            (
                "assumption: new leases follow market prices, sitting tenants' rents rise by index"
                " and lag them"
            ),
        ),
    )
    pass_through_social: float = param(
        0.25,
        "share",
        0,
        1,
        "MODEL 5.8: social rents are regulated",
        plausible=(
            0.1,
            0.4,
            "assumption around MODEL 5.8 (social rents are regulated, cost-based ARA rents)",
        ),
    )
    social_rent_discount: float = param(
        0.60,
        "share of market",
        0,
        1,
        "assumption: ARA rents ~60% of market",
        plausible=(
            0.5,
            0.75,
            (
                "assumption: ARA/city rents about 50-75% of private market rents in Helsinki "
                "(default ~60%)"
            ),
        ),
    )
    persons_per_dwelling: float = param(
        1.9,
        "persons/dwelling",
        0.5,
        10,
        "Helsinki: ~695,000 residents in ~370,000 dwellings",
        fixed=(
            "statistic converting dwellings into places (Helsinki ~695,000 residents in ~370,000 "
            "dwellings)"
        ),
    )
    price_trend_per_year: float = param(
        0.02,
        "1/year",
        -0.5,
        0.5,
        "Helsinki 3,963 (2015) to 4,491 (2020) EUR/m2 is ~2.5%/year nominal; "
        "2% keeps to the longer-run trend",
        fixed=(
            "scenario setting: city price trend from Helsinki price statistics (2-2.5%/year "
            "nominal)"
        ),
    )


@dataclass(frozen=True)
class Migration:
    """Move-out hazard, newcomers and construction (MODEL 5.8)."""

    move_rate_owner_per_year: float = param(
        0.08,
        "1/year",
        0,
        1,
        "MODEL 5.12; owners 0.05-0.15 (MODEL 7)",
        plausible=(0.05, 0.15, "MODEL 7 target: owners move 0.05-0.15 a year"),
    )
    move_rate_private_per_year: float = param(
        0.25,
        "1/year",
        0,
        1,
        "MODEL 5.12; renters 0.20-0.30 (MODEL 7)",
        plausible=(0.2, 0.3, "MODEL 7 target: renters move 0.20-0.30 a year"),
    )
    move_rate_social_per_year: float = param(
        0.10,
        "1/year",
        0,
        1,
        "MODEL 5.12",
        plausible=(
            0.06,
            0.2,
            (
                "assumption: social renters move less than private renters (MODEL 5.12 ~0.10), "
                "below MODEL 7's 0.20-0.30"
            ),
        ),
    )
    alpha_attachment: float = param(
        0.5,
        "log hazard per unit",
        0,
        None,
        "assumption",
        plausible=(
            0.25,
            1.0,
            (
                "assumption: half to double; new residents move 1.3-2.7x as often as long-stayers "
                "(cumulative inertia)"
            ),
        ),
    )
    alpha_identity: float = param(
        0.5,
        "log hazard per unit",
        0,
        None,
        "assumption",
        plausible=(
            0.25,
            1.0,
            (
                "assumption: half to double; place attachment and reputation lower moving "
                "intentions (Permentier et al.)"
            ),
        ),
    )
    alpha_burden: float = param(
        3.0,
        "log hazard per unit burden above cap",
        0,
        None,
        (
            "Kim 2022 (Housing Policy Debate 32:369-385; 8,092 income-eligible US renters, "
            "SIPP 2014): a fall of income-to-needs by 25% or more raises the hazard of moving "
            "1.27-fold (adjusted); at a fixed rent that lifts a burden of 0.35 to about 0.47, "
            "so alpha ~2.0 (ln 1.27 / 0.12); the default 3 is stronger (an assumption: a rent "
            "rise is a surer push than an income fall)"
        ),
        plausible=(
            1.5,
            6.0,
            (
                "assumption: half to double; acts only above burden_cap, so read together with "
                "that cap"
            ),
        ),
        meaning=(
            "how strongly housing costs above the burden cap raise a resident's chance to move out"
        ),
    )
    burden_cap: float = param(
        0.35,
        "cost/income",
        0,
        2,
        "assumption: housing costs above a third of income are a burden",
        plausible=(
            0.3,
            0.4,
            (
                "affordability conventions: 30% of income (US HUD's 'cost burdened') to 40% "
                "(Eurostat's housing cost overburden rate, EU-SILC indicator SI-S5)"
            ),
        ),
    )
    alpha_liveability: float = param(
        1.0,
        "log hazard per unit",
        0,
        None,
        "assumption",
        plausible=(0.5, 2.0, "assumption: half to double"),
    )
    share_leaving_city: float = param(
        0.30,
        "share of movers",
        0,
        1,
        "Helsinki 2022: ~102,000 moves inside the city and ~86,000 across its boundary, "
        "about 43,000 of them out, so about 30% of movers leave (REFERENCES; was 0.40, "
        "which put moves within the city at 10% a year, issue 12)",
        plausible=(
            0.25,
            0.4,
            (
                "Helsinki 2022 ~30% of movers leave (REFERENCES); 0.40 put in-city moves below "
                "target (ODD 9)"
            ),
        ),
    )
    population_growth_per_year: float = param(
        0.0102,
        "1/year",
        -0.2,
        0.2,
        "newcomers replace leavers plus growth: "
        "Helsinki 628,208 (2015) to 695,526 (2025) is 1.02%/year",
        fixed=(
            "scenario setting: Helsinki growth 2015-2025 (1.02%/year); linked to "
            "construction_per_year"
        ),
    )
    construction_per_year: float = param(
        0.01,
        "share of dwellings/year",
        0,
        0.2,
        "Helsinki grows ~1% a year (628,208 in 2015, 695,526 in 2025)",
        fixed=(
            "scenario setting: housing stock growth matched to population_growth_per_year "
            "(~1%/year)"
        ),
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
        fixed=(
            "reference scaling: Helsinki median disposable income ~27,000 EUR (Statistics Finland)"
        ),
    )
    income_sigma: float = param(
        0.55,
        "log EUR",
        0.01,
        3,
        (
            "calibrated (issue 13, docs/calibration.md): the three price-spread targets hold "
            "together only for 0.466-0.592 (price zones 2.53x and extreme areas 4.11x, +-20%)"
        ),
        plausible=(
            0.4,
            0.7,
            (
                "a lognormal's Gini is 2 Phi(sigma / sqrt 2) - 1: 0.22 at 0.4, 0.30 at 0.55, "
                "0.38 at 0.7, around Finland's 27.7 (disposable income per consumption unit, "
                "Statistics Finland 2017) and Helsinki's higher level"
            ),
        ),
    )
    income_price_elasticity: float = param(
        0.7,
        "log income per log price",
        0,
        3,
        "assumption: incomes sorted by price level",
        plausible=(
            0.4,
            1.0,
            "assumption: default -0.3/+0.3; at 1 housing burden would be equal across price levels",
        ),
    )
    income_growth_per_year: float = param(
        0.02,
        "1/year",
        -0.5,
        0.5,
        "nominal incomes grow with the price trend (Finnish earnings index ~2%/year), "
        "so burden does not rise by inflation alone",
        fixed=(
            "scenario setting from the earnings index, kept in step with "
            "housing.price_trend_per_year"
        ),
    )
    newcomer_income_median_eur: float = param(
        24000.0,
        "EUR/year",
        1000,
        None,
        (
            "assumption: movers are younger; Helsinki's median income 26,900 EUR (2014, City "
            "of Helsinki via Yle); in-movers under 30 earn less than residents of their age when "
            "they move and catch up within a few years (Laakso, City of Helsinki 2018); no euro "
            "figure: -11% is an assumption"
        ),
        plausible=(
            20000.0,
            27000.0,
            "assumption: young in-movers earn less; at most the residents' median (27,000)",
        ),
    )
    engagement_a: float = param(
        2.0,
        "Beta a",
        0.1,
        None,
        "assumption: engagement Beta(2,5), mean ~0.29",
        plausible=(
            1.5,
            3.0,
            (
                "assumption: with engagement_b keeps mean engagement ~0.2-0.45; civic rules were "
                "calibrated on Beta(2,5)"
            ),
        ),
    )
    engagement_b: float = param(
        5.0,
        "Beta b",
        0.1,
        None,
        (
            "Statistics Finland time use survey 2020-21: 23% of those over 15 did voluntary "
            "work in the last four weeks (29% in 2009, almost 40% over 12 months), 7% in "
            "housing companies, residents' and village associations; Beta(2,5)'s mean 0.29 "
            "is the four-week share; b itself is not pinned: issue 13's participation targets "
            "hold over 3.6-7.5 (docs/calibration.md)"
        ),
        plausible=(
            3.5,
            7.5,
            (
                "assumption: with engagement_a keeps mean engagement ~0.2-0.45; civic rules were "
                "calibrated on Beta(2,5)"
            ),
        ),
    )
    owner_engagement_bonus: float = param(
        0.08,
        "engagement",
        0,
        1,
        (
            "DiPasquale & Glaeser 1999 (J. Urban Econ. 45:354-384): with income, education and "
            "age held, owners are 16% more likely to vote in local elections and 10% more "
            "likely to have worked to solve local problems, about half of it through their "
            "longer stay; +0.08 is +28% of the mean engagement 0.29, the upper end (an IV "
            "study, Engelhardt et al. 2010, finds no effect on political involvement)"
        ),
        plausible=(
            0.04,
            0.16,
            (
                "assumption: half to double; owners are more civically active (DiPasquale & "
                "Glaeser 1999)"
            ),
        ),
    )
    orientation_mean_traditional: float = param(
        0.38,
        "orientation",
        0,
        1,
        "assumption [S5]",
        plausible=(
            0.28,
            0.45,
            (
                "assumption: default +-0.1 [S5], kept below associations.mode_cut (0.5) and the "
                "creative mean"
            ),
        ),
    )
    orientation_mean_creative: float = param(
        0.58,
        "orientation",
        0,
        1,
        "assumption [S5]",
        plausible=(
            0.5,
            0.68,
            (
                "assumption: default +-0.1 [S5], kept at or above associations.mode_cut (0.5) and "
                "the traditional mean"
            ),
        ),
    )
    orientation_concentration: float = param(
        6.0,
        "Beta a+b",
        0.5,
        None,
        "assumption",
        plausible=(3.0, 12.0, "assumption: half to double (SD of orientation ~0.14-0.25)"),
    )
    newcomer_orientation_mean: float = param(
        0.55,
        "orientation",
        0,
        1,
        "assumption: newcomers lean to the future",
        plausible=(
            0.45,
            0.65,
            "assumption: default +-0.1; newcomers are younger and lean to the future",
        ),
        meaning="the average future orientation of residents moving in from outside the city",
    )
    p_competent: float = param(
        0.25,
        "probability",
        0,
        1,
        "assumption: skills a development network can use",
        plausible=(
            0.15,
            0.4,
            "assumption: default -0.1/+0.15; skills a development network can use",
        ),
    )


@dataclass(frozen=True)
class Firms:
    """Local firms: entry and exit, interest in product development and partnerships [S1].

    Entry and exit follow MODEL 5.8; product development and partnerships, MODEL 5.5.
    """

    initial_per_1000: float = param(
        25.0,
        "firms/1,000 residents",
        0,
        None,
        "assumption: local service firms",
        plausible=(
            15.0,
            40.0,
            (
                "assumption: local service firms; liveability.firms_ref_per_1000 (25) is separate,"
                " so varying one alone shifts services"
            ),
        ),
    )
    exit_per_year: float = param(
        0.08,
        "1/year",
        0,
        1,
        "assumption: ~8% of small firms close a year",
        plausible=(
            0.05,
            0.12,
            (
                "EU enterprise death rates about 9% a year (Eurostat business demography: 2014, "
                "8.5% in 2021); small service firms vary more"
            ),
        ),
    )
    elasticity_attractiveness: float = param(
        0.5,
        "elasticity",
        0,
        None,
        "assumption",
        plausible=(0.25, 1.0, "assumption: half to double"),
    )
    interest_mean: float = param(
        0.15,
        "interest 0..1",
        0.001,
        0.999,
        "assumption [S1]: most local firms are services; a few develop products",
        plausible=(
            0.08,
            0.25,
            (
                "assumption [S1]: most local firms are services; partnership hazard is scaled by "
                "interest/interest_mean"
            ),
        ),
    )
    interest_concentration: float = param(
        4.0,
        "Beta a + b",
        0.1,
        1000,
        "assumption: interest ~ Beta(mean * c, (1 - mean) * c)",
        plausible=(2.0, 8.0, "assumption: half to double"),
    )
    partnerships_per_1000_per_year: float = param(
        0.15,
        "partnerships/1,000 firms/year",
        0,
        1000,
        "assumption [S1]: calibrated so that local partners are about as many as outside partners "
        "in the default city (0.2-0.25 per district)",
        plausible=(
            0.075,
            0.3,
            (
                "assumption: half to double; calibrated only to local ~ outside partners, no "
                "public figure"
            ),
        ),
    )


@dataclass(frozen=True)
class Knowledge:
    """Collective knowledge and competence (MODEL 5.4) [S4]."""

    gamma_k: float = param(
        0.10,
        "person-months documented per active person-month",
        0,
        1,
        "assumption",
        plausible=(
            0.05,
            0.2,
            (
                "assumption: half to double; enters only as gamma_k*doc_share, scaled by "
                "partnerships.knowledge_half_saturation"
            ),
        ),
    )
    doc_share: float = param(
        0.3,
        "share",
        0,
        1,
        "assumption: share of activity that gets documented",
        plausible=(
            0.15,
            0.5,
            (
                "assumption: half to ~1.7x; enters only as gamma_k*doc_share, so vary one of the "
                "two or their product"
            ),
        ),
    )
    half_life_public_years: float = param(
        5.0,
        "years",
        0.1,
        None,
        "MODEL 5.12: documented knowledge ~5 years",
        plausible=(
            3.0,
            10.0,
            "MODEL 5.12 ~5 years; assumption 3-10; keep above half_life_private_years",
        ),
    )
    half_life_private_years: float = param(
        1.5,
        "years",
        0.1,
        None,
        "MODEL 5.12: undocumented knowledge decays faster",
        plausible=(
            0.5,
            2.5,
            (
                "assumption: faster than documented knowledge (MODEL 5.12); organisational "
                "forgetting is fast (Argote et al. 1990)"
            ),
        ),
    )
    public_share_web: float = param(
        0.6,
        "share",
        0,
        1,
        "assumption: a website or social channel publishes what is documented",
        plausible=(0.4, 0.8, "assumption: default +-0.2; keep above public_share_none"),
    )
    public_share_none: float = param(
        0.1,
        "share",
        0,
        1,
        "assumption",
        plausible=(
            0.05,
            0.25,
            "assumption: without web channels little is published; keep below public_share_web",
        ),
    )


@dataclass(frozen=True)
class Partnerships:
    """Outside firms and research institutes, partnerships and innovations (MODEL 5.5) [S1, S4]."""

    n_outside_firms: int = param(
        40,
        "firms",
        0,
        10000,
        "assumption: firms in the region with an interest in product development [S1]",
        plausible=(
            20,
            80,
            (
                "assumption: half to double the default; no count of regional firms keen on "
                "district pilots"
            ),
        ),
    )
    n_research_institutes: int = param(
        8,
        "institutes",
        0,
        1000,
        "assumption: universities and institutes of the Helsinki region [S1]",
        plausible=(
            4,
            16,
            (
                "Helsinki region has ~10 universities and UAS plus state institutes (VTT, THL, "
                "SYKE); half to double"
            ),
        ),
    )
    capacity_per_firm: int = param(
        2,
        "partnerships",
        1,
        100,
        "assumption: a firm runs a couple of district pilots at a time",
        plausible=(
            1,
            4,
            "assumption: a firm runs one to four district pilots at a time (half to double)",
        ),
    )
    capacity_per_institute: int = param(
        4,
        "partnerships",
        1,
        100,
        "assumption: an institute runs several field studies at a time",
        plausible=(
            2,
            8,
            (
                "assumption: half to double the default number of field studies an institute runs "
                "at once"
            ),
        ),
    )
    rate_per_year: float = param(
        0.3,
        "partnerships/year",
        0,
        100,
        "assumption: a visible, knowledgeable district gains a partner every few years",
        plausible=(
            0.15,
            0.6,
            (
                "assumption: half to double; no public figure (ODD 9: about 0.31 running outside "
                "partners per district)"
            ),
        ),
    )
    visibility_ref: float = param(
        0.2,
        "probability",
        0.001,
        1,
        "outside visibility at which the partnership rate is the base rate",
        fixed=(
            "reference scaling: the rate depends on rate_per_year / visibility_ref, so "
            "rate_per_year is varied"
        ),
    )
    platform_multiplier: float = param(
        3.0,
        "ratio",
        1,
        100,
        "assumption: platform status makes a district a known partner [S3]",
        plausible=(
            1.5,
            6.0,
            (
                "assumption: half to double the default boost that platform status gives "
                "partnership rates"
            ),
        ),
    )
    duration_months: int = param(
        24,
        "months",
        1,
        240,
        "assumption: a two-year project",
        plausible=(
            12,
            36,
            "assumption: district pilots and research projects typically run one to three years",
        ),
    )
    experts_per_partnership: float = param(
        3.0,
        "persons",
        0,
        1000,
        "assumption: outside experts a partner brings (competence network, external resources)",
        plausible=(1.5, 6.0, "assumption: half to double the outside experts a partner brings"),
    )
    eur_per_partnership_per_year: float = param(
        40000.0,
        "EUR/year",
        0,
        None,
        "assumption: a partner's own contribution (external resources)",
        plausible=(
            20000.0,
            80000.0,
            "assumption: half to double a partner's own yearly contribution; no source",
        ),
    )
    knowledge_half_saturation: float = param(
        2000.0,
        "person-months",
        1,
        None,
        "knowledge at which k_d = 0.5 (k = K / (K + K_half))",
        plausible=(
            1000.0,
            4000.0,
            (
                "assumption: half to double; shapes k_d (median district K ~600-750 person-months "
                "at month 60-120)"
            ),
        ),
    )
    competence_half_saturation: float = param(
        300.0,
        "persons",
        1,
        None,
        "competence network at which c_d = 0.5",
        plausible=(
            150.0,
            600.0,
            "assumption: half to double; shapes c_d (median district competence ~100 persons)",
        ),
    )
    lambda0_per_year: float = param(
        1.0,
        "innovations/year",
        0,
        1000,
        (
            "assumption: a few innovations a year in platforms (MODEL 5.12); Smart Kalasatama "
            "(Forum Virium Helsinki), a funded district platform, ran 21 agile pilots in "
            "2016-2018, about 7 a year; no figure per partnership, no calibration target"
        ),
        plausible=(
            0.5,
            2.0,
            (
                "assumption: half to double; MODEL 5.12 'a few a year in platforms', ODD 9: 1.4/yr"
                " unfunded, 4.1 funded"
            ),
        ),
    )
    exponent_knowledge: float = param(
        1.0,
        "elasticity",
        0,
        10,
        "MODEL 5.5 a",
        plausible=(0.5, 1.5, "assumption: default +-0.5 around MODEL 5.5's proportional form"),
    )
    exponent_competence: float = param(
        1.0,
        "elasticity",
        0,
        10,
        "MODEL 5.5 b",
        plausible=(0.5, 1.5, "assumption: default +-0.5 around MODEL 5.5's proportional form"),
    )
    mode_multiplier_traditional: float = param(
        0.1,
        "ratio",
        0,
        10,
        "MODEL 5.12: innovations are rare in traditional districts [S5]",
        plausible=(
            0.05,
            0.2,
            (
                "assumption: half to double; MODEL 5.12 innovations rare in traditional districts;"
                " stays below creative"
            ),
        ),
    )
    mode_multiplier_creative: float = param(
        0.5,
        "ratio",
        0,
        10,
        "assumption [S5]",
        plausible=(
            0.25,
            0.75,
            "assumption: default +-50%, kept between traditional and platform multipliers [S5]",
        ),
    )
    mode_multiplier_platform: float = param(
        1.0,
        "ratio",
        0,
        10,
        "reference: innovation platforms [S5]",
        fixed=(
            "reference level: the other modes are relative to it and lambda0_per_year sets the "
            "scale"
        ),
    )
    value_median_eur: float = param(
        150000.0,
        "EUR",
        0,
        None,
        "assumption: heavy-tailed commercial value (lognormal)",
        plausible=(
            75000.0,
            300000.0,
            "assumption: half to double; only scales reported value (selection uses z-scores)",
        ),
    )
    value_sigma: float = param(
        1.2,
        "log EUR",
        0,
        5,
        "assumption: heavy tail",
        plausible=(
            1.0,
            2.5,
            (
                "Scherer & Harhoff 2000: top 10% take 48-93% of returns, lognormal sigma ~1.2-2.8;"
                " local pilots less skewed"
            ),
        ),
    )
    benefit_per_innovation: float = param(
        0.04,
        "liveability units",
        0,
        1,
        "assumption: an innovation's local benefit [S4]",
        plausible=(
            0.02,
            0.08,
            "assumption: half to double an innovation's local benefit; no source",
        ),
    )
    benefit_half_life_years: float = param(
        2.0,
        "years",
        0.1,
        None,
        "assumption: local benefit fades over a few years",
        plausible=(
            1.0,
            4.0,
            "assumption: half to double; MODEL: local benefit fades over a few years",
        ),
    )
    platform_record_innovations: int = param(
        3,
        "innovations in 3 years",
        1,
        1000,
        "MODEL 5.11: a record of innovations also makes a creative district a platform",
        plausible=(
            2,
            5,
            (
                "assumption: 2-5 innovations in 3 years count as a record (ODD 7.11 makes MODEL "
                "5.11 concrete)"
            ),
        ),
    )


@dataclass(frozen=True)
class Program:
    """The annual innovation-platform call and program year (MODEL 5.9, 5.10) [S3, S4]."""

    enabled: bool = param(
        False,
        "switch",
        None,
        None,
        "a scenario enables the program [S3]",
        fixed="switch: a scenario enables the program",
        meaning="run the annual innovation-platform call (the program year)",
    )
    last_call_year: int = param(
        1000,
        "program year",
        0,
        1000,
        "calls open in program years 0..last_call_year; set it to stop the program (P4)",
        fixed="policy lever: the scenario chooses when calls stop",
    )
    budget_eur_per_year: float = param(
        1500000.0,
        "EUR/year",
        0,
        None,
        "assumption: funds a handful of platforms a year (MODEL 5.12)",
        fixed="policy lever: the funders' budget is a scenario choice",
        meaning="the call's budget a year",
    )
    grant_eur_per_year: float = param(
        250000.0,
        "EUR/year per platform",
        1,
        None,
        "assumption",
        fixed=(
            "policy lever: grant size is chosen by the funder; also the reference of the grant "
            "factor"
        ),
    )
    staff_persons_per_platform: float = param(
        1.0,
        "persons",
        0,
        100,
        "assumption: a coordinator per platform",
        fixed="policy lever: staff the program assigns to each platform",
    )
    hours_per_staff_person: float = param(
        120.0,
        "hours/month",
        0,
        200,
        "a part-time coordinator adds hours to the association",
        fixed="program design: a coordinator's contracted hours a month, set by the funder",
    )
    municipality_share: float = param(
        0.4,
        "share of budget",
        0,
        1,
        "assumption [S1]",
        fixed="policy choice, bookkeeping only; rule: municipality_share + state_share <= 1",
    )
    state_share: float = param(
        0.3,
        "share of budget",
        0,
        1,
        "assumption [S1]",
        fixed="policy choice, bookkeeping only; rule: municipality_share + state_share <= 1",
    )
    allocation: str = param(
        "competitive",
        "competitive|equal",
        None,
        None,
        "P6: a competitive call scores evidence; equal splits the budget among applicants",
        fixed="text choice of allocation rule (competitive or equal), a scenario setting",
        meaning=(
            "how the call shares its budget: competitive (scored by evidence) or equal among "
            "applicants"
        ),
    )
    apply_orientation: float = param(
        0.5,
        "orientation",
        0,
        1,
        "MODEL 5.9: a district applies when its lead association looks to the future",
        plausible=(
            0.4,
            0.6,
            (
                "assumption: default +-0.1; below associations.mode_cut (0.5) some traditional "
                "districts apply"
            ),
        ),
    )
    apply_volunteers_per_10k: float = param(
        20.0,
        "volunteers/10,000 residents",
        0,
        None,
        "MODEL 5.9: and has the capacity",
        plausible=(
            10.0,
            40.0,
            (
                "assumption: half to double; most districts have 80-200 volunteers/10k, so it "
                "binds weak ones only"
            ),
        ),
    )
    w_commercial: float = param(
        1.0,
        "weight",
        0,
        None,
        "criterion 1 [S4]",
        fixed="policy lever: criterion weight chosen by the funder",
    )
    w_external: float = param(
        1.0,
        "weight",
        0,
        None,
        "criterion 2 [S4]",
        fixed="policy lever: criterion weight chosen by the funder",
    )
    w_knowledge: float = param(
        1.0,
        "weight",
        0,
        None,
        "criterion 3 [S4]",
        fixed="policy lever: criterion weight chosen by the funder",
    )
    w_competence: float = param(
        1.0,
        "weight",
        0,
        None,
        "criterion 4 [S4]",
        fixed="policy lever: criterion weight chosen by the funder",
    )
    w_support: float = param(
        0.0,
        "weight",
        0,
        None,
        "criterion 5 [S4]; 0 by default so past funding does not score itself",
        fixed=(
            "policy lever: criterion weight chosen by the funder (0 so past funding does not score"
            " itself)"
        ),
    )
    w_benefit: float = param(
        1.0,
        "weight",
        0,
        None,
        "criterion 6 [S4]",
        fixed="policy lever: criterion weight chosen by the funder",
    )
    w_structure: float = param(
        1.0,
        "weight",
        0,
        None,
        "criterion 7 [S4]",
        fixed="policy lever: criterion weight chosen by the funder",
    )
    score_per_capita: bool = param(
        True,
        "switch",
        None,
        None,
        "the funder compares results per 10,000 residents, not absolute size "
        "(otherwise large districts win by size)",
        fixed="switch: the funder's scoring rule",
    )
    quality_weight: float = param(
        1.0,
        "score units per unit quality",
        0,
        None,
        "assumption: how much the application itself (0..1) counts beside the evidence",
        fixed="policy lever: the funder's weight of application quality beside the criteria",
    )
    sparring: bool = param(
        True,
        "switch",
        None,
        None,
        "stage 2 [S3]",
        fixed="switch: program stage 2 on or off",
        meaning="program stage 2: applicants are coached and improve their applications",
    )
    sparring_gain: float = param(
        0.5,
        "share of quality gap closed",
        0,
        1,
        "assumption: coaching removes part of an application's weakness",
        plausible=(
            0.25,
            0.75,
            "assumption: default +-50%; share of an application's weakness that coaching removes",
        ),
    )
    complementing: bool = param(
        True, "switch", None, None, "stage 3 [S3]", fixed="switch: program stage 3 on or off"
    )
    complementing_gain: float = param(
        0.25,
        "share of quality gap closed",
        0,
        1,
        "assumption",
        plausible=(
            0.1,
            0.5,
            "assumption: about half to double; complementing closes less of the gap than sparring",
        ),
    )
    matchmaking: bool = param(
        True,
        "switch",
        None,
        None,
        "stage 4 [S3]",
        fixed="switch: program stage 4 matchmaking on or off",
        meaning="program stage 4: each new platform district is matched with an outside partner",
    )
    matchmaking_partners: int = param(
        1,
        "partnerships",
        0,
        10,
        "assumption: kick-off matches each new platform with an outside actor",
        plausible=(0, 2, "assumption: a kick-off match yields none to two lasting partnerships"),
    )
    benchmarking: bool = param(
        True, "switch", None, None, "stage 5 [S3]", fixed="switch: program stage 5 on or off"
    )
    benchmarking_rate: float = param(
        0.1,
        "share of gap",
        0,
        1,
        "assumption: platforms close part of their knowledge gap to the best",
        plausible=(
            0.05,
            0.2,
            (
                "assumption: half to double the share of the knowledge gap to the best platform "
                "closed a year"
            ),
        ),
    )
    structuring: bool = param(
        True, "switch", None, None, "stage 6 [S3]", fixed="switch: program stage 6 on or off"
    )
    structuring_gain: float = param(
        0.3,
        "share",
        0,
        10,
        "assumption: clear themes and roles raise innovation efficiency",
        plausible=(
            0.15,
            0.6,
            "assumption: half to double the efficiency gain of clear themes and roles",
        ),
    )
    evaluation: bool = param(
        True, "switch", None, None, "stage 7 [S3]", fixed="switch: program stage 7 on or off"
    )
    evaluation_innovations_ref: float = param(
        2.0,
        "innovations/year",
        0.1,
        None,
        "assumption: innovations in a year that count as full marks in the process evaluation",
        fixed="reference scaling of the funder's evaluation score (innovations for full marks)",
    )
    evaluation_weight: float = param(
        0.2,
        "probability per unit score",
        0,
        1,
        "assumption: a good evaluation helps find continuation funding",
        plausible=(
            0.1,
            0.4,
            (
                "assumption: half to double; continuation p = clip(continuation_probability + "
                "w*(score-0.5), 0, 1)"
            ),
        ),
    )
    continuation_probability: float = param(
        0.5,
        "probability",
        0,
        1,
        "stage 8 [S3]: continuation funding is not guaranteed",
        plausible=(
            0.3,
            0.7,
            (
                "assumption: default +-0.2; continuation funding not guaranteed [S3]; combined "
                "with evaluation_weight, clipped"
            ),
        ),
        meaning="the chance that a platform district's funding continues for another year",
    )
    legacy_half_life_years: float = param(
        1.0,
        "years",
        0,
        None,
        "P4 [S3]: after a lapse the platform's routines, roles and standing with partners fade "
        "with this half-life (0 = at once); assumption",
        plausible=(
            0.5,
            2.0,
            "assumption: half to double; P4 needs gradual decay, so 0 (at once) is excluded",
        ),
        meaning="how long what a platform built lasts after its funding ends (half-life)",
    )
    innovation_multiplier_per_grant: float = param(
        0.5,
        "ratio",
        0,
        100,
        "funding raises the innovation rate in proportion to grant / grant_eur_per_year",
        plausible=(
            0.25,
            1.0,
            "assumption: half to double; ODD 9: funded platforms already above 'a few a year'",
        ),
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
    """Return one row per parameter.

    Keys: section, name, unit, default, lo, hi (the allowed range), source, plausible
    (``(low, high)`` for a behavioural assumption, else None) and plausible_reason (the
    reason for the plausible range, or why the parameter is fixed).
    """
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
                    "plausible": f.metadata["plausible"],
                    "plausible_reason": f.metadata["plausible_reason"],
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
