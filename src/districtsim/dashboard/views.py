"""The dashboard's views as plain functions of a model: plotly figures and tables (no Solara here).

Each view reads the model's current state and its monthly district records
(:class:`~districtsim.results.Recorder`); none changes the model. They are the
page's components (:mod:`districtsim.dashboard.app`) and can be called from a
notebook or a test.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import plotly.graph_objects as go
from scipy.stats import binom

from districtsim import communication, mobilisation
from districtsim.calendar import calendar_month, program_year
from districtsim.criteria import CRITERIA_GROUPS, group_scores, score
from districtsim.model import DistrictModel
from districtsim.outputs import column
from districtsim.results import DISTRICT_COLUMNS

MODE_COLOURS = {"traditional": "#7f8c8d", "creative": "#e67e22", "innovation_platform": "#8e44ad"}
"""Colour of each operating mode (map, ties view)."""

MAP_VARIABLES: dict[str, str] = {"mode": "operating mode", **DISTRICT_COLUMNS}
"""What the map can colour districts by: the operating mode or any district column.

The district columns are described in docs/outputs.md.
"""


VARIABLE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("District qualities", ("identity", "liveability", "reputation", "attractiveness")),
    (
        "Civic life",
        (
            "participation_rate",
            "active_",
            "members",
            "volunteers",
            "channel",
            "n_channels",
            "outside_visibility",
            "events",
            "association_orientation",
            "developer_network_orientation",
        ),
    ),
    ("Knowledge and competence", ("collective_knowledge", "knowledge_", "competence_")),
    ("Moves", ("moves_",)),
    (
        "Population and housing",
        ("population", "dwellings", "vacancies", "price_", "mean_income", "months_in"),
    ),
    (
        "Firms, partners and innovation",
        ("local_firms", "partners", "external_", "innovations", "commercial_", "local_benefit"),
    ),
    ("Innovation-platform program", ("is_platform", "public_support")),
)
"""Groups of the variable menus: a column joins the first group one of whose name prefixes
it starts with; the rest go to "Other"."""


def variable_group(name: str) -> str:
    """Return the menu group of a district column (or "Operating mode" for ``mode``)."""
    if name == "mode":
        return "Operating mode"
    return next(
        (group for group, prefixes in VARIABLE_GROUPS if name.startswith(prefixes)), "Other"
    )


def variable_label(name: str) -> str:
    """Return a menu entry: the description, its unit (unless named there), the column name."""
    if name == "mode":
        return "operating mode: traditional, creative, innovation platform · mode"
    col = column("district", name)
    unit = "" if col.unit in col.description else f" [{col.unit}]"
    return f"{col.description}{unit} · {name}"


def variable_items(names: list[str]) -> list[dict[str, str]]:
    """Return the items of a grouped, searchable variable menu (Vuetify's item format).

    One header per group (in the order of :data:`VARIABLE_GROUPS`), then the group's columns
    as ``{"text": label, "value": name}`` in table order; typing filters on the label, which
    holds the description, the unit and the column name.
    """
    order = ["Operating mode", *(g for g, _ in VARIABLE_GROUPS), "Other"]
    by_group: dict[str, list[str]] = {g: [] for g in order}
    for name in names:
        by_group[variable_group(name)].append(name)
    items: list[dict[str, str]] = []
    for group in order:
        if by_group[group]:
            items.append({"header": group})
            items += [{"text": variable_label(n), "value": n} for n in by_group[group]]
    return items


_LATER_EVENT_KINDS: tuple[str, ...] = (
    "innovation",
    "mode_transition",
    "intervention_start",
    "intervention_end",
    "shock",
    "channel_lapse",
    "channel_relaunch",
)
"""The event kinds that end both lists below, in that order."""

EVENT_KINDS_SHOWN: tuple[str, ...] = (
    "selection",
    "platform_lapse",
    "continuation",
    *_LATER_EVENT_KINDS,
)
"""Event kinds the feed shows by default.

Partnerships and applications are frequent; they can be added.
"""

EVENT_KINDS: tuple[str, ...] = (
    "application",
    "selection",
    "evaluation",
    "continuation",
    "platform_lapse",
    "partnership",
    "partnership_end",
    *_LATER_EVENT_KINDS,
)
"""Every event kind the model logs (docs/outputs.md, events)."""

CAPTIONS: dict[str, str] = {
    "participation": (
        "If a share s of a resident's acquaintances took part last month (x), this share "
        "of the district is expected to take part this month (y). "
        "Where a curve crosses the diagonal, participation settles; below the diagonal it "
        "shrinks, above it grows. Dots: the months so far."
    ),
    "ties": (
        "Participation spreads along ties: red took part this month, blue is an association "
        "member, grey another resident, white an empty place."
    ),
    "criteria": (
        "Each cell compares a district with the others on one criterion group (z-score: 0 = "
        "the mean, 1 = one standard deviation above); the funder ranks applicants by the "
        "weighted score."
    ),
}
"""One- or two-sentence reading guides shown under the views.

docs/dashboard.md explains each view in full.
"""

HELP: dict[str, str] = {
    "map": (
        "Each dot is a district at its centre (not its boundary), sized by its residents and "
        "coloured by the variable you choose. Grey lines join neighbours. Hover for values."
    ),
    "series": (
        "How the chosen variable has moved, month by month, in the districts you choose; "
        "the dashed line is the city (a population-weighted mean, or the mean over districts "
        "for counts)."
    ),
    "participation": (
        "The threshold dynamics of one district: if a share of a resident's ties took part "
        "last month, what share takes part this month. Participation settles where a curve "
        "crosses the diagonal; the dotted curve is a month with an event."
    ),
    "ties": (
        "A sample of one district's residents and their ties: word of mouth travels along "
        "them. Red took part this month, blue is an association member."
    ),
    "criteria": (
        "How the funder compares districts in the last program year: each criterion group "
        "as a z-score across districts (0 = the mean), and the weighted score that ranks the "
        "applicants. A criterion with weight 0 does not count this year."
    ),
    "events": (
        "What happened, newest first: program selections and lapses, innovations, mode "
        "transitions, channels lapsing or relaunched, interventions. Choose which kinds."
    ),
    "run": (
        "What is running: the month reached, the seed and scale, the value of every "
        "parameter you can set (as used in this run) and the interventions in effect."
    ),
}
"""What each view shows, for a student (the view's "(?) what am I looking at")."""

TOUR: tuple[tuple[str, str], ...] = (
    (
        "Traditional or creative?",
        "Colour the map by mode (type 'mode' in its menu): grey districts are traditional, "
        "orange creative, purple innovation platforms. A district's mode follows its lead "
        "association's orientation: creative from 0.5 (associations.mode_cut).",
    ),
    (
        "Follow a traditional district",
        "In the time series choose association_orientation and a traditional district, "
        "say Reijola. Press Step a few times, then Play.",
    ),
    (
        "Does it cross?",
        "In the default city no traditional lead reaches 0.5 in 20 years at its settings: "
        "the orientation drifts toward the active members' only slowly. Watch the events "
        "for mode transitions.",
    ),
    (
        "Make the drift faster",
        "Type 0.5 in the field of associations.omega_per_year, press Reset, then Play. Now "
        "traditional districts cross the cut (traditional->creative in the events).",
    ),
    (
        "What holds participation down?",
        "In the participation view pick a district: where the curve meets the diagonal "
        "participation settles. Without events it settles low: word of mouth alone does not "
        "carry it. docs/tutorial.md goes on from here.",
    ),
)
"""The guided tour of the tutorial's question, what turns a traditional district creative,
in the default city (docs/tutorial.md section 2, in short): one (title, instruction) per
step."""

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_LAYOUT = {
    "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
    "height": 320,
    "autosize": True,
    "template": {},
    "annotations": [],
}
# An empty template: plotly.js defaults; building a named template object costs ~20 ms a
# figure, redrawn every month.

_STATE_NOW = {
    "identity": lambda m: m.districts.identity,
    "liveability": lambda m: m.districts.liveability,
    "reputation": lambda m: m.districts.reputation,
    "price_eur_m2": lambda m: np.exp(m.districts.log_price),
    "population": lambda m: m.districts.population,
    "association_orientation": lambda m: np.array([a.orientation for a in m.associations]),
    "local_firms": lambda m: m.districts.local_firms.astype(float),
}
"""Values the map can show before the first month is recorded (the initial state)."""


def month_label(t: int) -> str:
    """Return 'month T (Mon, year Y)' for model month ``t``, numbered as the tables number it.

    Months and years count from 0 (``docs/outputs.md``, "Months and years"): month 0 is
    October of year 0.
    """
    return f"month {t} ({MONTH_NAMES[calendar_month(t) - 1]}, year {program_year(t)})"


def status(model: DistrictModel) -> str:
    """Return one line: the last month simulated, as the tables number it, and how many.

    ``model.month`` counts the months simulated, so the last is month ``model.month - 1``.
    """
    done = model.month
    count = f"{done} of {model.horizon} months simulated"
    if done == 0:
        return f"{model.config.name}: initial state, {count} (press Step or Play)"
    ended = " (horizon reached)" if done >= model.horizon else ""
    return f"{model.config.name}: {month_label(done - 1)} simulated; {count}{ended}"


def is_extensive(variable: str) -> bool:
    """True for a column that adds up over districts (persons, EUR, counts).

    Its city line is the mean over districts. Read from the column's declared unit
    (:attr:`districtsim.outputs.Column.extensive`).
    """
    return column("district", variable).extensive


def current_values(model: DistrictModel, variable: str) -> np.ndarray:
    """Return each district's value of a column for the last simulated month.

    Before the first step it is the initial state; NaN where there is none.
    """
    rec = model.recorder
    if rec.n_recorded > 0:
        return rec.data[variable][rec.n_recorded - 1]
    if variable in _STATE_NOW:
        return np.asarray(_STATE_NOW[variable](model), dtype=float)
    return np.full(model.n_districts, np.nan)


def _empty(title: str, message: str) -> go.Figure:
    """Return a figure without data whose title says why.

    No annotation: a live chart would keep it after its data arrive.
    """
    return go.Figure(
        layout={
            **_LAYOUT,
            "title": {"text": f"{title}<br><sup>{message}</sup>", "font": {"size": 14}},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
        }
    )


def _edge_trace(
    pairs: list[tuple[int, int]], x: np.ndarray, y: np.ndarray, colour: str
) -> go.Scatter:
    """Return one trace of lines joining each pair (i, j) of points, without hover or legend."""
    ex, ey = [], []
    for i, j in pairs:
        ex += [x[i], x[j], None]
        ey += [y[i], y[j], None]
    return go.Scatter(
        x=ex,
        y=ey,
        mode="lines",
        line={"color": colour, "width": 1},
        hoverinfo="skip",
        showlegend=False,
    )


def _mode_traces(
    model: DistrictModel, x: np.ndarray, y: np.ndarray, size: np.ndarray, labelled: bool
) -> list[go.Scatter]:
    """Return the districts as markers, one trace (and legend entry) per operating mode."""
    modes = np.array(model.districts.mode)
    data = []
    for mode, colour in MODE_COLOURS.items():
        sel = modes == mode
        data.append(
            go.Scatter(
                x=x[sel],
                y=y[sel],
                mode="markers+text" if labelled else "markers",
                text=[model.names[i] for i in np.flatnonzero(sel)] if labelled else None,
                textposition="top center",
                marker={
                    "size": size[sel],
                    "color": colour,
                    "line": {"color": "white", "width": 1},
                },
                name=mode.replace("_", " "),
                hovertext=[f"{model.names[i]}: {mode}" for i in np.flatnonzero(sel)],
                hoverinfo="text",
            )
        )
    return data


BOUNDED_UNITS: dict[str, tuple[float, float]] = {
    "0..1": (0.0, 1.0),
    "share": (0.0, 1.0),
    "probability": (0.0, 1.0),
    "probability/month": (0.0, 1.0),
    "0 or 1": (0.0, 1.0),
    "events this month (0 or 1)": (0.0, 1.0),
    "channels (0-4)": (0.0, 4.0),
}
"""Units of bounded quantities (the output declarations' units) and their ranges."""


def colour_range(variable: str) -> tuple[float, float] | None:
    """Return the fixed colour range of a bounded district column, or None (fitted to data).

    A bounded quantity (a 0..1 index, a share, a probability, a count of channels) is
    coloured over its whole range, so that two nearly equal districts look nearly equal.
    """
    try:
        unit = column("district", variable).unit
    except KeyError:
        return None
    return BOUNDED_UNITS.get(unit)


def _value_trace(
    model: DistrictModel,
    variable: str,
    x: np.ndarray,
    y: np.ndarray,
    size: np.ndarray,
    labelled: bool,
) -> go.Scatter:
    """Return the districts as markers coloured by the current value of ``variable``."""
    values = current_values(model, variable)
    hover = [
        f"{n}: {v:,.4g}" if np.isfinite(v) else f"{n}: no value yet (step once)"
        for n, v in zip(model.names, values, strict=True)
    ]
    colour = np.nan_to_num(values, nan=np.nanmin(values) if np.isfinite(values).any() else 0.0)
    marker = {
        "size": size,
        "color": colour,
        "colorscale": "Viridis",
        "showscale": True,
        "colorbar": {"title": {"text": variable, "side": "right"}},
        "line": {"color": "white", "width": 1},
    }
    span = colour_range(variable)
    if span is not None:
        marker["cmin"], marker["cmax"] = span
    return go.Scatter(
        x=x,
        y=y,
        mode="markers+text" if labelled else "markers",
        text=model.names if labelled else None,
        textposition="top center",
        hovertext=hover,
        hoverinfo="text",
        showlegend=False,
        marker=marker,
    )


def map_figure(model: DistrictModel, variable: str = "reputation") -> go.Figure:
    """Return the district map: each district's centre (x_km, y_km).

    Districts are sized by population and coloured by ``variable``. Lines join
    adjacent districts. Positions are the scenario's district centres, not
    boundaries.
    """
    specs = model.config.districts
    x = np.array([d.x_km for d in specs])
    y = np.array([d.y_km for d in specs])
    pop = model.districts.population
    size = 8 + 30 * np.sqrt(pop / max(pop.max(), 1))
    data: list[Any] = [_edge_trace(model.config.adjacency_pairs(), x, y, "#d0d0d0")]
    labelled = model.n_districts <= 12  # names beside the markers only while they fit
    if variable == "mode":
        data += _mode_traces(model, x, y, size, labelled)
        title = "Districts by operating mode"
    else:
        data.append(_value_trace(model, variable, x, y, size, labelled))
        span = colour_range(variable)
        scale = (
            f"colours over its range {span[0]:g}..{span[1]:g}"
            if span is not None
            else "colours fitted to this month's values"
        )
        title = (
            f"Districts by {variable}: {MAP_VARIABLES.get(variable, variable)}<br>"
            f"<sup>{scale}</sup>"
        )
    layout = {
        **_LAYOUT,
        "title": {"text": title, "font": {"size": 14}},
        "xaxis": {"title": "km east of the centre", "scaleanchor": "y"},
        "yaxis": {"title": "km north"},
        "legend": {"orientation": "h", "y": -0.15},
    }
    return go.Figure(data=data, layout=layout)


def series_figure(
    model: DistrictModel, variable: str = "reputation", districts: list[str] | None = None
) -> go.Figure:
    """Return monthly time series of ``variable`` for the chosen districts and the city.

    The city line is the population-weighted mean for states and rates, the
    mean over districts for counts (persons, EUR, firms; :func:`is_extensive`).
    """
    rec = model.recorder
    n = rec.n_recorded
    label = DISTRICT_COLUMNS.get(variable, variable)
    if n == 0:
        return _empty(f"{variable} over time", "No month simulated yet: press Step or Play")
    months = np.arange(n)  # the tables' month numbers
    values = rec.data[variable][:n]
    data = []
    for name in districts or []:
        if name in model.names:
            data.append(
                go.Scatter(x=months, y=values[:, model.names.index(name)], mode="lines", name=name)
            )
    if is_extensive(variable):
        city, city_name = np.nanmean(values, axis=1), "city: mean over districts"
    else:
        pop = rec.data["population"][:n]
        w = np.where(np.isfinite(values), pop, 0.0)
        city, city_name = (
            np.nansum(values * w, axis=1) / np.maximum(w.sum(axis=1), 1e-12),
            "city: population-weighted mean",
        )
    data.append(
        go.Scatter(
            x=months,
            y=city,
            mode="lines",
            name=city_name,
            line={"color": "black", "dash": "dash", "width": 2},
        )
    )
    layout = {
        **_LAYOUT,
        "title": {"text": f"{variable}<br><sup>{label}</sup>", "font": {"size": 14}},
        # Month numbers as in the tables and the status line.
        "xaxis": {"title": "month (month 0 = October of year 0)", "visible": True},
        "yaxis": {"title": variable, "visible": True},
        # Under the plot, never over the lines.
        "legend": {"orientation": "h", "x": 0, "y": -0.4, "yanchor": "top"},
        "margin": {"l": 50, "r": 20, "t": 50, "b": 100},
        "height": 290,  # the legend under the plot stays inside the view's cell
    }
    return go.Figure(data=data, layout=layout)


def participation_curve(
    model: DistrictModel, district: int, shares: np.ndarray, event: bool = False
) -> np.ndarray:
    """Return the expected share of district residents taking part in a month.

    It is given the share ``s`` of active ties. The mean-field response of the
    threshold rule (MODEL 5.1-5.2) for the district's current residents: each of
    a resident's ``k`` ties is active with probability ``s``; the number of
    active ties sets both the chance of being reached (channels, an event if
    ``event``, word of mouth) and the social term of the threshold rule. Where
    the curve crosses the diagonal, participation stays where it is; a curve
    below the diagonal near zero and above it further right has a tipping point.
    """
    r = model.residents
    p = model.params
    lo, hi = model.block_start[district], model.block_start[district + 1]
    occ = r.occupied[lo:hi]
    k = model.ties.k
    shares = np.asarray(shares, dtype=float)
    if not occ.any():
        return np.zeros_like(shares)
    identity = np.full(int(occ.sum()), model.districts.identity[district], dtype=np.float32)
    motiv = mobilisation.motivation(
        identity,
        r.engagement[lo:hi][occ],
        r.months_in_district[lo:hi][occ].astype(np.float32),
        p.mobilisation,
    )
    lead = model.associations[district]
    pull = mobilisation.event_pull(r.orientation[lo:hi][occ], np.float32(lead.orientation)) * float(
        event
    )
    _, reach_d, _ = communication.district_reach(
        communication.district_channels(model.all_associations, model.n_districts)[[district]],
        p.communication,
        np.array([event]),
        np.array([lead.is_creative]),
    )
    x = np.arange(k + 1)
    reach = communication.resident_reach_probability(
        np.float32(reach_d[0]), x.astype(np.float32), p.communication.q_tie
    )
    take = np.array(
        [
            mobilisation.participation_probability(
                motiv,
                np.full_like(motiv, xi / max(k, 1)),
                pull,
                r.theta[lo:hi][occ],
                p.mobilisation,
            ).mean()
            for xi in x
        ]
    )
    weights = binom.pmf(x[None, :], k, shares[:, None])
    return weights @ (reach * take)


def _participation_lines(s: np.ndarray, quiet: np.ndarray, festive: np.ndarray) -> list[go.Scatter]:
    """Return the curves without and with an event over the shares ``s``, and the diagonal."""
    return [
        go.Scatter(x=s, y=quiet, mode="lines", name="no event", line={"color": "#2c7fb8"}),
        go.Scatter(
            x=s,
            y=festive,
            mode="lines",
            name="event month",
            line={"color": "#e67e22", "dash": "dot"},
        ),
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="diagonal:<br>stays",
            line={"color": "#999999", "dash": "dash"},
        ),
    ]


def _participation_path(path: np.ndarray) -> list[go.Scatter]:
    """Return the months so far as (last month, this month) points, and the latest one marked."""
    return [
        go.Scatter(
            x=path[:-1],
            y=path[1:],
            mode="markers",
            name="months so<br>far",
            marker={"size": 5, "color": np.arange(len(path) - 1), "colorscale": "Greys"},
        ),
        go.Scatter(
            x=[path[-2]],
            y=[path[-1]],
            mode="markers",
            name="now",
            marker={"size": 12, "color": "red", "symbol": "x"},
        ),
    ]


def participation_figure(model: DistrictModel, district: str) -> go.Figure:
    """Return the participation curve of one district with its path so far.

    The curve is :func:`participation_curve`.
    """
    d = model.names.index(district)
    s = np.linspace(0.0, 1.0, 51)
    quiet = participation_curve(model, d, s, event=False)
    festive = participation_curve(model, d, s, event=True)
    top = float(max(quiet.max(), festive.max(), 0.05))
    data = _participation_lines(s, quiet, festive)
    rec = model.recorder
    n = rec.n_recorded
    if n >= 2:
        data += _participation_path(rec.data["participation_rate"][:n, d])
    hi = min(1.0, max(top, float(rec.data["participation_rate"][:n, d].max()) if n else 0.0) * 1.3)
    layout = {
        **_LAYOUT,
        "title": {
            "text": (
                f"Participation curve of {district}<br><sup>threshold dynamics; "
                f"{model.districts.mode[d].replace('_', ' ')} district</sup>"
            ),
            "font": {"size": 14},
        },
        "xaxis": {
            "title": "share of a resident's ties active last month",
            "range": [0, hi],
        },
        "yaxis": {"title": "expected share taking part", "range": [0, hi]},
        # Beside the plot, never over the curves.
        "legend": {"x": 1.02, "xanchor": "left", "y": 1, "font": {"size": 10}},
        "margin": {"l": 50, "r": 10, "t": 50, "b": 40},
        "height": 290,  # room for the select above and the caption below in its grid cell
    }
    return go.Figure(data=data, layout=layout)


def criteria_figure(model: DistrictModel) -> go.Figure:
    """Return the seven evaluation criteria of the last completed program year per district.

    See MODEL 5.10.

    Each cell is the criterion group's z-score across districts, per 10,000
    residents where the funder scores per capita: what the call's evaluation
    compares. The last column is the weighted score with the current weights.
    """
    if not model.criteria_rows:
        return _empty(
            "Evaluation criteria",
            "No program year has ended yet: year 0 ends with month 11 (September)",
        )
    year = model.criteria_years[-1]
    values = model.criteria_rows[-1]
    p = model.program.settings
    groups = group_scores(values, p)
    total = score(values, p)
    order = np.argsort(total)
    cols = [*CRITERIA_GROUPS, "score"]
    z = np.column_stack([*(groups[g] for g in CRITERIA_GROUPS), total])[order]
    labels = [
        f"{i + 1} {g.removeprefix('w_')} (w={getattr(p, g):g})"
        for i, g in enumerate(CRITERIA_GROUPS)
    ] + ["weighted score"]
    fig = go.Figure(
        data=[
            go.Heatmap(
                z=z,
                x=labels,
                y=[model.names[i] for i in order],
                colorscale="RdBu",
                zmid=0,
                colorbar={"title": {"text": "z"}},
                hovertemplate="%{y}<br>%{x}: %{z:.2f}<extra></extra>",
            )
        ],
        layout={
            **_LAYOUT,
            "title": {
                "text": (
                    f"Evaluation criteria, program year {year}<br><sup>z-scores across "
                    f"districts; {len(cols) - 1} criteria and the weighted score</sup>"
                ),
                "font": {"size": 14},
                "x": 0.02,
                "xanchor": "left",
                "y": 1,
                "yanchor": "top",
                "pad": {"t": 10},
            },
            # 16 px a district: every name is labelled (plotly skips labels closer than its font).
            "height": max(320, 16 * model.n_districts + 220),
            # The criteria names on top, under the title: readable before scrolling down.
            "margin": {"l": 110, "r": 20, "t": 200, "b": 20},
            "xaxis": {"visible": True, "side": "top", "tickangle": -60},
            "yaxis": {"visible": True},
        },
    )
    return fig


def events_rows(
    model: DistrictModel, kinds: tuple[str, ...] | list[str] = EVENT_KINDS_SHOWN, limit: int = 15
) -> list[dict[str, str]]:
    """Return the newest ``limit`` events of the given kinds, newest first, readable.

    Each gives when, where, what and detail.
    """
    out = []
    wanted = set(kinds)
    for e in reversed(model.event_log):
        if e["event"] not in wanted:
            continue
        detail = _detail(e["event"], e["detail"], e["value"])
        out.append(
            {
                "when": month_label(e["month"]),
                "district": e["district"] or "(city)",
                "event": e["event"].replace("_", " "),
                "detail": detail,
            }
        )
        if len(out) >= limit:
            break
    return out


def _detail(kind: str, detail: str, value: float) -> str:
    """Return an event's detail with its value in words and units."""
    if not (isinstance(value, float) and np.isfinite(value)):
        return detail
    if kind == "innovation":
        return f"commercial value {value:,.0f} EUR"
    if kind in ("selection", "continuation"):
        return f"{detail}, grant {value:,.0f} EUR/year"
    if kind == "mode_transition":
        return f"{detail.replace('_', ' ')} (orientation {value:.2f})"
    if kind == "shock":
        return f"reputation {value:+.2f}"
    if kind in ("application", "evaluation"):
        return (
            f"{detail} (quality {value:.2f})"
            if kind == "application"
            else f"{detail} (score {value:.2f})"
        )
    return detail


def html_table(header: list[str], rows: list[list[Any]]) -> str:
    """Return a small HTML table (text escaped)."""
    head = "".join(
        f"<th style='text-align:left;padding:2px 8px'>{html.escape(str(h))}</th>" for h in header
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px'>{html.escape(str(c))}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return (
        "<table style='border-collapse:collapse;font-size:13px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def events_html(
    model: DistrictModel, kinds: tuple[str, ...] | list[str] = EVENT_KINDS_SHOWN, limit: int = 15
) -> str:
    """Return :func:`events_rows` as an HTML table (or a sentence when there are none yet)."""
    rows = events_rows(model, kinds, limit)
    if not rows:
        return "<p><i>No events of the chosen kinds yet.</i></p>"
    return html_table(
        ["when", "district", "event", "detail"],
        [[r["when"], r["district"], r["event"], r["detail"]] for r in rows],
    )


class TieSample:
    """A fixed sample of places in one district for the ties view, with a layout.

    The sample is a snowball from one place.

    The sample and the layout are drawn once (deterministically from the
    district's ties at the time); each view then shows the current ties among
    the sampled places and who occupies, belongs and takes part.
    """

    def __init__(self, model: DistrictModel, district: int, size: int = 60) -> None:
        import networkx as nx

        lo, hi = int(model.block_start[district]), int(model.block_start[district + 1])
        partners = model.ties.partners
        occupied = np.flatnonzero(model.residents.occupied[lo:hi]) + lo
        start = int(occupied[0]) if len(occupied) else lo
        nodes, frontier = [start], [start]
        seen = {start}
        while frontier and len(nodes) < size:
            nxt = []
            for i in frontier:
                for j in partners[i]:
                    j = int(j)
                    if lo <= j < hi and j not in seen and len(nodes) < size:
                        seen.add(j)
                        nodes.append(j)
                        nxt.append(j)
            frontier = nxt
        self.district = district
        self.nodes = np.array(nodes, dtype=np.int64)
        g = nx.Graph()
        g.add_nodes_from(range(len(nodes)))
        g.add_edges_from(self.edges(model))
        pos = nx.spring_layout(g, seed=1, iterations=60)
        self.xy = np.array([pos[i] for i in range(len(nodes))])

    def edges(self, model: DistrictModel) -> list[tuple[int, int]]:
        """Return the current ties among the sampled places, as index pairs into :attr:`nodes`."""
        index = {int(p): i for i, p in enumerate(self.nodes)}
        out = set()
        for i, p in enumerate(self.nodes):
            for j in model.ties.partners[p]:
                k = index.get(int(j))
                if k is not None and k != i:
                    out.add((min(i, k), max(i, k)))
        return sorted(out)


def ties_figure(model: DistrictModel, sample: TieSample) -> go.Figure:
    """Return the ties view: a sample of a district's places, their ties, and who takes part now."""
    r = model.residents
    nodes = sample.nodes
    xy = sample.xy
    occupied = r.occupied[nodes]
    active = r.is_active[nodes] & occupied
    member = (r.member_of[nodes] >= 0) & occupied
    groups = [
        ("took part this month", active, "#d62728"),
        ("association member, not active", member & ~active, "#1f77b4"),
        ("resident, not active", occupied & ~active & ~member, "#bbbbbb"),
        ("empty place", ~occupied, "white"),
    ]
    data = [_edge_trace(sample.edges(model), xy[:, 0], xy[:, 1], "#cccccc")]
    for name, sel, colour in groups:
        data.append(
            go.Scatter(
                x=xy[sel, 0],
                y=xy[sel, 1],
                mode="markers",
                name=f"{name} ({int(sel.sum())})",
                marker={"size": 10, "color": colour, "line": {"color": "#555555", "width": 1}},
                hoverinfo="name",
            )
        )
    name = model.names[sample.district]
    layout = {
        **_LAYOUT,
        "title": {
            "text": (
                f"Resident ties in {name}<br><sup>{len(nodes)} places sampled from one "
                "resident's ties outward</sup>"
            ),
            "font": {"size": 14},
        },
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "legend": {"orientation": "h", "y": -0.1},
    }
    return go.Figure(data=data, layout=layout)
