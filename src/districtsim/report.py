"""Self-contained HTML reports for planners: one run, or a comparison of scenarios.

A report is one HTML file that works offline: plotly.js is embedded inline
once in the page head (:func:`plotly.offline.get_plotlyjs`), every figure is
written with ``include_plotlyjs=False``, and the page loads no CDN script,
font or style sheet. Each chart has a heading, a short explanation and units
in its axis titles.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from districtsim.analysis_report import banner_html, explorer_html
from districtsim.compare import (
    CRITERIA_PREFIX,
    OUTCOMES,
    Comparison,
    criteria_outcomes,
    outcome_label,
    outcome_unit,
    t_interval,
)
from districtsim.criteria import CRITERIA_COLUMNS, CRITERIA_GROUPS
from districtsim.interventions import describe_intervention
from districtsim.results import RunResult, atomic_write
from districtsim.targets import Target

if TYPE_CHECKING:
    from districtsim.analysis import SweepAnalysis

MAIN_OUTCOMES = (
    "price_eur_m2",
    "reputation",
    "liveability",
    "identity",
    "participation_rate",
    "population",
    "displacement_persons",
)
"""Outcomes shown in the trajectory and difference charts (city and each district)."""

MAP_OUTCOMES = (
    "price_eur_m2",
    "reputation",
    "liveability",
    "identity",
    "participation_rate",
    "displacement_persons",
)
"""Outcomes the effect map can colour districts by."""

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
CONFIG = {"displaylogo": False, "responsive": True}

CSS = (
    "\n"
    'body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; '
    "margin: 0 auto; max-width: 1200px; padding: 1em 2em; color: #222; line-height: 1.45; }\n"
    "h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 2em; "
    "border-bottom: 1px solid #ccc; } h3 { margin-bottom: 0.3em; }\n"
    "p.note, .explain { color: #444; max-width: 60em; }\n"
    "table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }\n"
    ".table-wrap { overflow-x: auto; max-width: 100%; }\n"
    "th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; } "
    "th { background: #f2f2f2; font-weight: 600; max-width: 14em; white-space: normal; } "
    "td.name, th.name { text-align: left; }\n"
    ".good { color: #0a5d00; font-weight: 600; } .bad { color: #b00020; font-weight: 600; }\n"
    ".neutral { color: #1f4e79; font-weight: 600; } .noise { color: #666; }\n"
    "details { margin: 0.3em 0; } summary { cursor: pointer; font-weight: 600; }\n"
    ".meta { font-size: 0.9em; color: #555; }\n"
    ".warning { background: #fff4e5; border-left: 4px solid #e67e00; padding: 0.5em 1em; }\n"
    ".chooser { display: flex; flex-wrap: wrap; gap: 0.4em 0.8em; align-items: center; "
    "position: sticky; top: 0; z-index: 10; background: #fff; padding: 0.5em 0; "
    "border-bottom: 1px solid #ddd; } .chooser select { max-width: 100%; }\n"
    "@media (max-width: 600px) { body { padding: 0.5em; } }\n"
)


NO_PROGRAM_YEAR = (
    "<p>No complete program year: the criteria are computed only for complete years "
    "(12 months, October to September).</p>"
)
"""What the criteria sections say when the run has no complete program year."""


# ------------------------------------------------------------------ formatting
def _num(value: float, signed: bool = False) -> str:
    """Format a number with three significant digits, thousands separators and an optional sign.

    There is no exponent.
    """
    if value == 0:
        return "0"
    decimals = min(6, max(0, 2 - math.floor(math.log10(abs(value)))))
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    return text if text.strip("+-0.,") else "0"


def fmt_value(value: float, unit: str, signed: bool = False, with_unit: bool = True) -> str:
    """Format a value in its real unit, e.g. ``+35.2 EUR/m2``.

    Shares are shown in % (differences in percentage points).
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return _num(value * 100, signed) + (
            (" percentage points" if signed else " %") if with_unit else ""
        )
    if unit in ("0..1", "index", "probability/month") or not with_unit:
        return _num(value, signed)
    return f"{_num(value, signed)} {unit}"


def fmt_ci(lo: float, hi: float, unit: str) -> str:
    """Format a confidence interval as ``95% CI a to b`` (in the unit of the value it follows)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "no confidence interval (one replicate)"
    return f"95% CI {fmt_value(lo, unit, True, False)} to {fmt_value(hi, unit, True, False)}"


def axis_title(outcome: str) -> str:
    """Return an axis title with the unit, e.g. ``price of an old flat (EUR/m2)``."""
    unit = outcome_unit(outcome)
    unit = "% of residents" if unit == "share" else unit
    return f"{outcome_label(outcome)} ({unit})" if unit else outcome_label(outcome)


def _scale(outcome: str) -> float:
    """Factor applied before plotting: shares are shown in %."""
    return 100.0 if outcome_unit(outcome) == "share" else 1.0


def _esc(text: Any) -> str:
    return html.escape(str(text))


def _table(header: list[str], rows: Iterable[list[str]], first_is_name: bool = True) -> str:
    """Return an HTML table; cells are escaped text."""
    head = "".join(
        f'<th class="name">{_esc(h)}</th>' if i == 0 and first_is_name else f"<th>{_esc(h)}</th>"
        for i, h in enumerate(header)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="name">{_esc(c)}</td>'
            if i == 0 and first_is_name
            else f"<td>{_esc(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        '<div class="table-wrap"><table><thead>'
        f"<tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure_html(fig: go.Figure | dict[str, Any], div_id: str, height: int) -> str:
    """Return the figure as a div and its script, without plotly.js (embedded once in the head).

    A figure may be given as a plain dict (from :func:`_fast_figure`): its
    traces were built without plotly's per-trace validation, which is slow
    for the hundreds of traces of a district selector.
    """
    validate = isinstance(fig, go.Figure)
    # Subplot titles (annotations) wrap and shrink, so that two side by side fit a phone.
    if isinstance(fig, go.Figure):
        fig.for_each_annotation(lambda a: a.update(text=_wrapped(a.text or ""), font_size=12))
        fig.update_layout(
            height=height, template="plotly_white", margin={"l": 60, "r": 30, "t": 60, "b": 50}
        )
        if fig.layout.updatemenus:
            # A menu sits above the plot at the left: centre the title and make room, so they do
            # not overlap.
            fig.update_layout(title={"x": 0.5, "xanchor": "center"}, margin={"t": 100})
    else:
        for a in fig["layout"].get("annotations", []):
            a["text"] = _wrapped(a.get("text", ""))
            a.setdefault("font", {})["size"] = 12
        fig["layout"].update(height=height, margin={"l": 60, "r": 30, "t": 60, "b": 50})
    return pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config=CONFIG,
        default_height=f"{height}px",
        default_width="100%",
        validate=validate,
    )


def _fast_figure(layout_fig: go.Figure, traces: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a figure dict of the (validated) layout of ``layout_fig`` and ``traces`` as given.

    The layout has the white template expanded.
    """
    layout_fig.update_layout(template="plotly_white")
    out = layout_fig.to_plotly_json()
    out["data"] = traces
    return out


def _page(title: str, sections: list[str]) -> str:
    """Return the whole self-contained page: inline CSS and plotly.js, then the sections."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, '
        f'initial-scale=1">\n<title>{_esc(title)}</title>\n'
        f"<style>{CSS}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _write(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return path


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _band(
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    colour: str,
    name: str,
    group: str,
    visible: bool,
    show_legend: bool = False,
) -> dict[str, Any]:
    """Return a scatter trace (dict) filling the polygon between ``lo`` and ``hi``.

    This draws a confidence band.
    """
    ok = np.isfinite(lo) & np.isfinite(hi)
    xs, los, his = x[ok], lo[ok], hi[ok]
    return {
        "type": "scatter",
        "x": np.concatenate([xs, xs[::-1]]),
        "y": np.concatenate([his, los[::-1]]),
        "fill": "toself",
        "fillcolor": _rgba(colour, 0.2),
        "line": {"width": 0},
        "mode": "lines",
        "hoverinfo": "skip",
        "name": f"{name} 95% CI",
        "legendgroup": group,
        "showlegend": show_legend,
        "visible": visible,
    }


def _axes(row: int, col: int, ncols: int) -> dict[str, str]:
    """Axis references of subplot (row, col) of a make_subplots grid (numbered row by row)."""
    n = (row - 1) * ncols + col
    return {"xaxis": "x" if n == 1 else f"x{n}", "yaxis": "y" if n == 1 else f"y{n}"}


# ------------------------------------------------------------------ comparison report
def _year_axis(years: np.ndarray) -> np.ndarray:
    """Program year ``y`` is plotted at its middle, in years since the start (0.5, 1.5, ...)."""
    return years.astype(float) + 0.5


Series = dict[tuple[str, str, str, str], dict[str, np.ndarray]]


def _series(eff: pd.DataFrame) -> Series:
    """Index the effects table once.

    The index maps (scope, district, outcome, arm) to the columns as arrays, sorted by year.
    """
    out: Series = {}
    cols = ("year", "mean", "mean_lo", "mean_hi", "diff_mean", "diff_lo", "diff_hi")
    for key, d in eff.sort_values("year", kind="stable").groupby(
        ["scope", "district", "outcome", "arm"], sort=False
    ):
        out[tuple(str(k) for k in key)] = {c: d[c].to_numpy(dtype=float) for c in cols}
    return out


def _arm_traces(
    d: dict[str, np.ndarray],
    arm: str,
    arms: list[str],
    mode: str,
    k: float,
    axes: dict[str, str],
    visible: bool,
    show_legend: bool,
) -> list[dict[str, Any]]:
    """Return the 95% band and the line of one arm in one panel (subplot ``axes``).

    ``mode`` ``"level"`` draws the arm's mean, ``"diff"`` its paired difference to
    the first arm; ``k`` scales the values (:func:`_scale`).
    """
    colour = PALETTE[(arms.index(arm)) % len(PALETTE)]
    x = _year_axis(d["year"])
    if mode == "level":
        y, lo, hi = (d[c] * k for c in ("mean", "mean_lo", "mean_hi"))
        name = arm
    else:
        y, lo, hi = (d[c] * k for c in ("diff_mean", "diff_lo", "diff_hi"))
        name = f"{arm} - {arms[0]}"
    line = {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "lines+markers",
        "line": {"color": colour},
        "name": name,
        "legendgroup": name,
        "showlegend": show_legend,
        "visible": visible,
    }
    hover = f"{_esc(name)}<br>program year %{{customdata}}: %{{y:.4g}}<extra></extra>"
    return [
        {**_band(x, lo, hi, colour, name, name, visible), **axes},
        {**line, **axes, "customdata": d["year"].astype(int), "hovertemplate": hover},
    ]


def _place_traces(
    series: Series, place: str, arms: list[str], mode: str, ncols: int, visible: bool
) -> list[dict[str, Any]]:
    """Return one place's traces (the city or a district): a band and a line per panel and arm."""
    scope, district = ("city", "") if place == "City" else ("district", place)
    shown_arms = arms if mode == "level" else arms[1:]
    traces: list[dict[str, Any]] = []
    for o_i, outcome in enumerate(MAIN_OUTCOMES):
        axes = _axes(o_i // ncols + 1, o_i % ncols + 1, ncols)
        for arm in shown_arms:
            d = series.get((scope, district, outcome, arm))
            if d is not None:
                # One legend entry per arm (the first panel's) for whichever place is shown.
                traces += _arm_traces(d, arm, arms, mode, _scale(outcome), axes, visible, o_i == 0)
    return traces


def _place_menu(places: list[str], counts: list[int]) -> dict[str, Any]:
    """Return the dropdown that shows one place's traces (``counts[i]`` of them for place i)."""
    total = sum(counts)
    buttons = []
    start = 0
    for place, count in zip(places, counts, strict=True):
        vis = [False] * total
        vis[start : start + count] = [True] * count
        start += count
        buttons.append({"label": place, "method": "restyle", "args": [{"visible": vis}]})
    return {
        "buttons": buttons,
        "direction": "down",
        "x": 0.0,
        "xanchor": "left",
        "y": 1.08,
        "yanchor": "bottom",
        "showactive": True,
    }


def _selector_figure(
    series: Series, places: list[str], arms: list[str], mode: str
) -> dict[str, Any]:
    """Small multiples of MAIN_OUTCOMES with a dropdown choosing the city or a district.

    ``mode`` ``"level"``: each arm's mean with its 95% band; ``"diff"``: the
    paired difference of each arm after the first, with its 95% band and a zero line.
    """
    ncols = 2
    nrows = math.ceil(len(MAIN_OUTCOMES) / ncols)
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        subplot_titles=[axis_title(o) for o in MAIN_OUTCOMES],
        horizontal_spacing=0.1,
        vertical_spacing=0.08,
    )
    per_place = [
        _place_traces(series, place, arms, mode, ncols, p_i == 0)
        for p_i, place in enumerate(places)
    ]
    if mode == "diff":
        for o_i in range(len(MAIN_OUTCOMES)):
            fig.add_hline(
                y=0,
                line={"color": "#888", "dash": "dot", "width": 1},
                row=o_i // ncols + 1,
                col=o_i % ncols + 1,
            )
    fig.update_layout(
        updatemenus=[_place_menu(places, [len(t) for t in per_place])],
        legend={"orientation": "h", "y": -0.08},
    )
    fig.update_xaxes(title_text="years since start (program year midpoint)")
    return _fast_figure(fig, [t for traces in per_place for t in traces])


def _district_markers(
    x: Any, y: Any, text: Any, hover: list[str], marker: dict[str, Any], name: str, visible: bool
) -> go.Scatter:
    """Return districts as labelled markers at their scenario coordinates (km), one map layer."""
    return go.Scatter(
        x=x,
        y=y,
        mode="markers+text",
        text=text,
        textposition="top center",
        textfont={"size": 10},
        hovertext=hover,
        hoverinfo="text",
        marker=marker,
        name=name,
        visible=visible,
        showlegend=False,
    )


def _add_layer_menu(fig: go.Figure, labels: list[str], suffix: str) -> go.Figure:
    """Add a dropdown showing one map layer (trace) at a time and the km axes; return ``fig``.

    Layer ``i`` is named ``labels[i] + suffix`` in the menu, which shows the layer in view (the
    figure has no title for the menu to cover); the first is shown.
    """
    buttons = [
        {
            "label": lab + suffix,
            "method": "update",
            "args": [{"visible": [j == i for j in range(len(labels))]}],
        }
        for i, lab in enumerate(labels)
    ]
    # The menu shows the layer: no figure title, which the menu would cover.
    fig.update_layout(
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 0.0,
                "xanchor": "left",
                "y": 1.12,
                "yanchor": "bottom",
            }
        ],
        xaxis={"title": {"text": "x (km)"}, "scaleanchor": "y", "scaleratio": 1},
        yaxis={"title": {"text": "y (km)"}},
    )
    return fig


MAP_LABELS = 8
"""Districts named on a map of effects besides the focus ones: the largest clear differences."""


def _effect_layer(
    dist: pd.DataFrame,
    d: pd.DataFrame,
    arm: str,
    reference: str,
    outcome: str,
    visible: bool,
    focus: frozenset[str] = frozenset(),
) -> go.Scatter:
    """Return the map layer of one arm's paired difference to ``reference`` in one outcome.

    ``d`` holds the final-year effects of the arm and outcome, one row per district of ``dist``.
    The ``focus`` districts (those the interventions target) get a thick outline and their
    name; of the others only the :data:`MAP_LABELS` largest clear differences are named (the
    rest on hover), so labels do not pile up in the dense centre.
    """
    k = _scale(outcome)
    diff, lo, hi = (d[c].to_numpy(dtype=float) * k for c in ("diff_mean", "diff_lo", "diff_hi"))
    bound = float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 1.0
    bound = bound if bound > 0 else 1.0
    unit = "percentage points" if outcome_unit(outcome) == "share" else outcome_unit(outcome)
    hover = [
        f"<b>{_esc(n)}</b><br>{_esc(arm)} - {_esc(reference)}: {v:+.4g} "
        f"{unit}<br>95% CI {lo_:+.4g} to {hi_:+.4g}"
        if math.isfinite(v)
        else f"<b>{_esc(n)}</b><br>n/a"
        for n, v, lo_, hi_ in zip(dist["district"], diff, lo, hi, strict=True)
    ]
    size = 14 + 26 * np.sqrt(
        dist["population"].to_numpy(dtype=float) / max(float(dist["population"].max()), 1.0)
    )
    names = dist["district"].astype(str).tolist()
    in_focus = np.array([n in focus for n in names])
    marker = {
        "size": size,
        "color": diff,
        "colorscale": "RdBu",
        "cmid": 0,
        "cmin": -bound,
        "cmax": bound,
        "line": {"color": np.where(in_focus, "#000", "#666"), "width": np.where(in_focus, 4, 1)},
        "colorbar": {"title": {"text": f"difference<br>({unit})"}},
    }
    clear = np.isfinite(lo) & np.isfinite(hi) & ((lo > 0) | (hi < 0))
    strength = np.where(clear & ~in_focus, np.abs(np.nan_to_num(diff)), -1.0)
    top = np.argsort(-strength)[:MAP_LABELS]
    named = set(top[strength[top] > 0].tolist())
    text = [
        (f"<b>{_esc(n)}</b>" if in_focus[i] else _esc(n)) if in_focus[i] or i in named else ""
        for i, n in enumerate(names)
    ]
    hover = [h + ("<br>(targeted)" if in_focus[i] else "") for i, h in enumerate(hover)]
    return _district_markers(
        dist["x_km"], dist["y_km"], text, hover, marker, f"{arm}: {outcome}", visible
    )


def _map_figure(comparison: Comparison, final: pd.DataFrame) -> go.Figure:
    """Districts at (x_km, y_km), coloured by the final-year paired difference.

    A dropdown chooses among arms and outcomes.
    """
    arms = comparison.arms
    dist = comparison.districts
    focus = frozenset((comparison.meta.get("focus") or {}).get("districts", []))
    fig = go.Figure()
    labels = []
    for arm in arms[1:]:
        for outcome in MAP_OUTCOMES:
            d = final[
                (final["scope"] == "district")
                & (final["outcome"] == outcome)
                & (final["arm"] == arm)
            ].set_index("district")
            d = d.reindex(dist["district"])
            fig.add_trace(
                _effect_layer(dist, d, arm, arms[0], outcome, visible=not labels, focus=focus)
            )
            labels.append(f"{arm} - {arms[0]}: {outcome_label(outcome)}")
    return _add_layer_menu(fig, labels, " (final year)")


def _inequality_figure(eff: pd.DataFrame, arms: list[str]) -> go.Figure:
    """City price Gini and displacement per year, each arm with its 95% band."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Gini of district prices (0..1)", "displacement (persons/year)"],
        horizontal_spacing=0.12,
    )
    for col, outcome in enumerate(("price_gini", "displacement_persons"), start=1):
        for a_i, arm in enumerate(arms):
            colour = PALETTE[a_i % len(PALETTE)]
            d = eff[
                (eff["scope"] == "city") & (eff["outcome"] == outcome) & (eff["arm"] == arm)
            ].sort_values("year")
            x = _year_axis(d["year"].to_numpy())
            fig.add_trace(
                go.Scatter(
                    _band(
                        x,
                        d["mean_lo"].to_numpy(dtype=float),
                        d["mean_hi"].to_numpy(dtype=float),
                        colour,
                        arm,
                        arm,
                        True,
                    )
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=d["mean"],
                    mode="lines+markers",
                    line={"color": colour},
                    name=arm,
                    legendgroup=arm,
                    showlegend=col == 1,
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text="years since start (program year midpoint)")
    fig.update_yaxes(title_text="Gini (0 = equal prices)", row=1, col=1)
    fig.update_yaxes(title_text="persons/year", row=1, col=2)
    return fig


def _final_year(eff: pd.DataFrame) -> int:
    """The last complete program year, or the last year if none is complete."""
    full = eff.loc[eff["months"] == 12, "year"]
    return int(full.max()) if len(full) else int(eff["year"].max())


FDR = 0.05
"""False discovery rate at which the report calls a difference outside the focus clear."""

QUALITY = {
    "good": "better for residents",
    "bad": "worse for residents",
    "neutral": "neither better nor worse in itself (a price, a size or a cost)",
}
"""How a clear difference reads, by :func:`_quality` (CSS class -> words)."""


def _quality(diff: float, direction: str) -> str:
    """Return ``good``, ``bad`` or ``neutral`` for a difference of an outcome with ``direction``."""
    if direction == "higher":
        return "good" if diff > 0 else "bad"
    if direction == "lower":
        return "good" if diff < 0 else "bad"
    return "neutral"


def _difference_text(r: pd.Series) -> str:
    """Return one difference in real units: place, outcome, mean and 95% interval."""
    where = "city" if r["scope"] == "city" else str(r["district"])
    unit = str(r["unit"])
    return (
        f"{where}: {outcome_label(str(r['outcome']))} "
        f"{fmt_value(r['diff_mean'], unit, True)} "
        f"({fmt_ci(r['diff_lo'], r['diff_hi'], unit)})"
    )


def _sort_differences(d: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Sort the final-year differences of one arm into clear, nominal, noise, unknown and same.

    ``clear``: the false-discovery-rate adjusted p-value is under :data:`FDR`; ``nominal``:
    the 95% interval excludes 0 but the adjusted value does not pass. Each entry is (CSS class,
    line of text in real units); ``same`` names only place and outcome.
    """
    found: dict[str, list[tuple[str, str]]] = {
        k: [] for k in ("clear", "nominal", "noise", "unknown", "same")
    }
    for _, r in d.iterrows():
        text = _difference_text(r)
        if r["diff_mean"] == 0 and r["diff_lo"] == 0 and r["diff_hi"] == 0:
            where = "city" if r["scope"] == "city" else str(r["district"])
            found["same"].append(("noise", f"{where}: {outcome_label(str(r['outcome']))}"))
        elif not (math.isfinite(r["diff_lo"]) and math.isfinite(r["diff_hi"])):
            found["unknown"].append(("", text))
        elif r["q_value"] < FDR:
            found["clear"].append((_quality(r["diff_mean"], str(r["direction"])), text))
        elif r["diff_lo"] > 0 or r["diff_hi"] < 0:
            found["nominal"].append(("noise", text))
        else:
            found["noise"].append(("noise", text))
    return found


def _items(items: list[tuple[str, str]]) -> str:
    """Return list items, each with its CSS class."""
    return "".join(
        f'<li class="{cls}">{_esc(t)}</li>' if cls else f"<li>{_esc(t)}</li>" for cls, t in items
    )


def _folded_list(summary: str, items: list[tuple[str, str]]) -> str:
    """Return ``items`` as a list folded under ``summary``."""
    return f"<details><summary>{summary}</summary><ul>{_items(items)}</ul></details>"


def _arm_summary_html(arm: str, reference: str, d: pd.DataFrame, n: int) -> list[str]:
    """Return the summary parts of one arm against ``reference`` from its final-year rows ``d``."""
    found = _sort_differences(d)
    clear, nominal, noise, unknown, same = (
        found[k] for k in ("clear", "nominal", "noise", "unknown", "same")
    )
    tested = len(clear) + len(nominal) + len(noise)
    parts = [f"<h4>{_esc(arm)} compared with {_esc(reference)}</h4>"]
    parts.append(
        f'<p class="explain">{tested} differences tested; if the two scenarios were the same, '
        f"about {0.05 * tested:.0f} of them would have a 95% interval excluding 0 by chance "
        "alone.</p>"
    )
    if clear:
        groups = []
        for cls, words in QUALITY.items():
            items = [(c, t) for c, t in clear if c == cls]
            if items:
                groups.append(f"<p>{words.capitalize()}, {len(items)}:</p><ul>{_items(items)}</ul>")
        parts.append(
            f"<p>Clear differences (false discovery rate {FDR:.0%}: q &lt; {FDR}), "
            f"{len(clear)}:</p>" + "".join(groups)
        )
    else:
        parts.append("<p>No clear difference in this year.</p>")
    if nominal:
        summary = (
            f"95% interval excludes 0, but not clear once the {tested} tests are accounted "
            f"for, {len(nominal)}"
        )
        parts.append(_folded_list(summary, nominal))
    if noise:
        parts.append(_folded_list(f"Within noise (the interval includes 0), {len(noise)}", noise))
    if same:
        parts.append(_folded_list(f"Identical in every replicate, {len(same)}", same))
    if unknown:
        parts.append(_folded_list(f"Cannot tell with {n} replicate(s), {len(unknown)}", unknown))
    return parts


def _summary_head(year: int, n: int) -> str:
    """Return the summary's explanation of the final year, of the tests, and of caution."""
    head = (
        f'<p class="explain">Final complete year: year {year} (model months {12 * year} to '
        f"{12 * year + 11}; months and years count from 0, as in the tables). "
        f"Each difference is the mean over {n} replicate(s) of the paired difference (same "
        "seed in both scenarios) with its 95% Student-t confidence interval. "
        "The report tests every outcome in the city and in every district at once, so some "
        "intervals exclude 0 by chance: a difference is called <b>clear</b> only when it "
        "passes the Benjamini-Hochberg procedure at a false discovery rate of 5% "
        "(its adjusted p-value, <code>q_value</code> in effects.parquet, is under 0.05; among "
        "the clear differences about 5% at most are expected to be chance). They are "
        'coloured by what they mean for residents: <span class="good">better</span>, '
        '<span class="bad">worse</span>, or <span class="neutral">neither</span> (a price rise '
        "is a gain to owners and a cost to renters). <b>Within noise</b>: the model cannot "
        "distinguish the scenarios in that outcome with this many replicates. "
        "Flows (displacement, moves, innovations, EUR) are yearly sums; states (price, "
        "stocks, population, participation) yearly means.</p>"
    )
    if n < 10:
        head += (
            f'<p class="explain"><b>Caution:</b> with only {n} replicate(s) the intervals '
            "are rough, and a count that happens to differ by the same amount in every "
            "replicate (e.g. one innovation more) shows a zero-width interval. Use 10 or more "
            "replicates (<code>--replicates</code>) before drawing conclusions.</p>"
        )
    return head


SENTENCE_DISTRICTS = 6
"""Focus districts up to which the question block also writes a sentence per district."""

VERDICT = {k: "a clear difference, " + words.split(" (")[0] for k, words in QUALITY.items()}
"""The focus sentences' verdict on a clear difference, by :func:`_quality`."""


def _focus_sentence(r: Any, n: int) -> str:
    """Return one focus outcome's effect in a plain sentence."""
    where = "In the city as a whole" if r.scope == "city" else f"In {r.district}"
    label, unit, diff = outcome_label(str(r.outcome)), str(r.unit), float(r.diff_mean)
    if not (math.isfinite(r.diff_lo) and math.isfinite(r.diff_hi)):
        return f"{where}, {label}: {fmt_value(diff, unit, True)} (no interval with {n} replicate)."
    ci = fmt_ci(r.diff_lo, r.diff_hi, unit)
    if r.diff_lo > 0 or r.diff_hi < 0:
        change = "higher" if diff > 0 else "lower"
        verdict = VERDICT[_quality(diff, str(r.direction))]
        return f"{where}, {label} is {change} by {fmt_value(abs(diff), unit)} ({ci}): {verdict}."
    return (
        f"{where}, {label} changes by {fmt_value(diff, unit, True)} ({ci}): within noise; "
        f"{n} replicates cannot tell the scenarios apart here."
    )


def _focus_html(comparison: Comparison, final: pd.DataFrame, n: int) -> str:
    """Return the question block: each focus outcome in the focus districts and the city.

    Focus outcomes are stated before the runs, so each is judged by its own 95% interval
    (no adjustment for the other outcomes, which the rest of the summary gets).
    """
    focus = comparison.meta.get("focus") or {}
    outcomes = [o for o in focus.get("outcomes", []) if o in set(final["outcome"])]
    if not outcomes:
        return (
            '<p class="explain">No question stated. A scenario can say what it asks and '
            "which outcomes and districts matter (<code>question</code>, "
            "<code>focus_outcomes</code>, <code>focus_districts</code> in its "
            "<code>[scenario]</code> table; docs/interventions.md); the districts its "
            "interventions target and the outcomes of their types are then reported first.</p>"
        )
    districts = focus.get("districts", [])
    arms = comparison.arms
    parts = [f"<h3>The question: {_esc(focus.get('question') or 'what changes')}</h3>"]
    parts.append(
        '<p class="explain">Focus outcomes: '
        + ", ".join(_esc(outcome_label(o)) for o in outcomes)
        + (
            f"; focus districts: {_esc(', '.join(districts))}"
            + (" (targeted by the interventions)" if districts == focus.get("targeted", []) else "")
            if districts
            else "; the whole city"
        )
        + ". Stated before the runs, each is judged by its own 95% interval.</p>"
    )
    for arm in arms[1:]:
        d = final[(final["arm"] == arm) & final["outcome"].isin(outcomes)]
        places = [("city", "")] + [("district", x) for x in districts]
        rows, sentences = [], []
        for scope, district in places:
            row = ["City" if scope == "city" else district]
            for o in outcomes:
                hit = d[(d["scope"] == scope) & (d["district"] == district) & (d["outcome"] == o)]
                if hit.empty:
                    row.append("")
                    continue
                r = next(hit.itertuples(index=False))
                row.append(
                    f"{fmt_value(r.diff_mean, str(r.unit), True)} "
                    f"({fmt_ci(r.diff_lo, r.diff_hi, str(r.unit))})"
                )
                if scope == "city" or len(districts) <= SENTENCE_DISTRICTS:
                    sentences.append(_focus_sentence(r, n))
            rows.append(row)
        parts.append(f"<h4>{_esc(arm)} compared with {_esc(arms[0])}</h4>")
        parts.append("<ul>" + "".join(f"<li>{_esc(t)}</li>" for t in sentences) + "</ul>")
        parts.append(_table(["place", *(axis_title(o) for o in outcomes)], rows))
    return "\n".join(parts)


def _summary_html(comparison: Comparison, final: pd.DataFrame, year: int) -> str:
    """The question block first, then every other difference, adjusted and grouped."""
    arms = comparison.arms
    n = int(comparison.effects["n_replicates"].iloc[0])
    if len(arms) < 2:
        return "<p>Only one scenario: there is no difference to report.</p>"
    parts = [_focus_html(comparison, final, n), "<h3>Everything else</h3>"]
    for arm in arms[1:]:
        d = final[
            (final["arm"] == arm) & ~final["outcome"].astype(str).str.startswith(CRITERIA_PREFIX)
        ]
        parts += _arm_summary_html(arm, arms[0], d, n)
    return _summary_head(year, n) + "\n".join(parts)


def _criteria_html(comparison: Comparison, final: pd.DataFrame) -> str:
    """Criteria of the last program year per district.

    They are the mean over replicates per arm, and the paired differences.
    """
    crit = final[final["outcome"].astype(str).str.startswith(CRITERIA_PREFIX)]
    if crit.empty:
        return NO_PROGRAM_YEAR
    arms = comparison.arms
    table = {(str(r.district), str(r.outcome), str(r.arm)): r for r in crit.itertuples(index=False)}
    blocks = []
    for i, name in enumerate(comparison.districts["district"]):
        rows = []
        for col in criteria_outcomes():
            outcome = CRITERIA_PREFIX + col
            unit = outcome_unit(outcome)
            row = [criterion_label(col)]
            for arm in arms:
                r = table.get((name, outcome, arm))
                row.append(fmt_value(float(r.mean), unit) if r is not None else "n/a")
            for arm in arms[1:]:
                r = table.get((name, outcome, arm))
                row.append(
                    f"{fmt_value(float(r.diff_mean), unit, True)} "
                    f"({fmt_ci(float(r.diff_lo), float(r.diff_hi), unit)})"
                    if r is not None
                    else "n/a"
                )
            rows.append(row)
        header = ["criterion", *arms, *(f"{a} - {arms[0]}" for a in arms[1:])]
        blocks.append(
            f"<details{' open' if i == 0 else ''}><summary>{_esc(name)}</summary>"
            f"{_table(header, rows)}</details>"
        )
    return "\n".join(blocks)


def _totals_html(comparison: Comparison) -> str:
    """Per arm: final-year price Gini and displacement summed over the whole run.

    Each is the mean over replicates with its 95% CI.
    """
    reps = comparison.replicates
    city = reps[reps["scope"] == "city"]
    year = _final_year(comparison.effects)
    rows = []
    for arm in comparison.arms:
        a = city[city["arm"] == arm]
        gini = (
            a[(a["outcome"] == "price_gini") & (a["year"] == year)]
            .sort_values("replicate")["value"]
            .to_numpy(dtype=float)
        )
        disp = (
            a[a["outcome"] == "displacement_persons"]
            .groupby("replicate", observed=True)["value"]
            .sum()
            .to_numpy(dtype=float)
        )
        g_m, g_lo, g_hi = (float(v) for v in t_interval(gini))
        d_m, d_lo, d_hi = (float(v) for v in t_interval(disp))
        rows.append(
            [
                arm,
                f"{g_m:.4f} ({_ci_plain(g_lo, g_hi, '.4f')})",
                f"{d_m:,.0f} ({_ci_plain(d_lo, d_hi, ',.0f')})",
            ]
        )
    return _table(
        [
            "scenario",
            f"price Gini, program year {year} (0..1)",
            "displacement over the whole run (persons)",
        ],
        rows,
    )


def _ci_plain(lo: float, hi: float, spec: str) -> str:
    return (
        f"95% CI {lo:{spec}} to {hi:{spec}}" if math.isfinite(lo) and math.isfinite(hi) else "no CI"
    )


def write_compare_report(comparison: Comparison, path: str | Path) -> Path:
    """Write the comparison report (one self-contained HTML file) to ``path``; return the path."""
    eff = comparison.effects.copy()
    for c in ("scope", "district", "outcome", "arm"):
        eff[c] = eff[c].astype(str)
    arms = comparison.arms
    year = _final_year(eff)
    final = eff[eff["year"] == year]
    series = _series(eff[eff["outcome"].isin(MAIN_OUTCOMES)])
    places = ["City", *comparison.districts["district"].astype(str)]
    meta = comparison.meta
    n = int(eff["n_replicates"].iloc[0]) if len(eff) else 0
    scale = _arm_scale(meta)
    sections = [
        "<h1>Scenario comparison</h1>",
        f'<p class="meta">Scenarios (arms): {", ".join(_esc(a) for a in arms)}; reference: '
        f"<b>{_esc(arms[0])}</b>. "
        f"{n} replicate(s) per scenario on the same seeds "
        f"{_esc(_seed_text(comparison.seeds))} (common random numbers: replicate r uses "
        "seed root + r in every scenario). "
        f"Horizon {meta.get('months', '?')} months; scale {_esc(scale)} (the share of the "
        "real residents simulated); districtsim "
        f"{_esc(meta.get('version', '?'))}.</p>",
        _scale_warning(scale),
        _arms_html(meta),
        "<h2>Summary</h2>",
        _summary_html(comparison, final, year),
        "<h2>Trajectories</h2>",
        '<p class="explain">Yearly values per scenario: the line is the mean over '
        "replicates, the shaded band its 95% confidence interval. "
        "Choose the city or a district in the menu at the top left. City values are "
        "population-weighted means (price, stocks, participation) or sums (residents, "
        "displacement).</p>",
        _figure_html(_selector_figure(series, places, arms, "level"), "fig-trajectories", 1100),
    ]
    if len(arms) > 1:
        sections += [
            "<h2>Differences over time</h2>",
            f'<p class="explain">Paired difference of each scenario minus {_esc(arms[0])} '
            "on the same seed, mean over replicates with its 95% confidence band. Where "
            "the band does not cross the dotted zero line, the difference is clear.</p>",
            _figure_html(_selector_figure(series, places, arms, "diff"), "fig-differences", 1100),
            "<h2>Map of effects</h2>",
            '<p class="explain">Districts at their scenario coordinates (km), marker size '
            f"by residents, colour by the paired difference to {_esc(arms[0])} in program "
            f"year {year} (red lower, blue higher). Districts the interventions target have a "
            "thick outline and their name in bold; of the others, the largest clear differences "
            "are named. Hover for any district, the difference and its 95% confidence "
            "interval; choose the scenario and outcome in the menu.</p>",
            _figure_html(_map_figure(comparison, final), "fig-map", 650),
        ]
    sections += [
        "<h2>Inequality and displacement</h2>",
        '<p class="explain">Left: Gini coefficient of district prices per m2 (0 = all '
        "districts equally priced), population-weighted. "
        "Right: residents moving out of their district because of housing burden, persons "
        "per year. Mean over replicates with 95% bands.</p>",
        _figure_html(_inequality_figure(eff, arms), "fig-inequality", 450),
        _totals_html(comparison),
        f"<h2>Evaluation criteria, program year {year}</h2>",
        '<p class="explain">The seven criteria of an innovation platform per district '
        "(mean over replicates per scenario; differences paired, with 95% CI). See "
        "docs/outputs.md (criteria) for each criterion.</p>",
        _criteria_html(comparison, final),
    ]
    return _write(path, _page("districtsim: scenario comparison", sections))


RECOMMENDED_SCALE = 0.1
"""The smallest scale at which the docs trust civic outcomes district by district: at 0.1 the
counts of quiet districts match full scale within noise, at 0.05 they do not (``docs/ODD.md``
section 9, the scale test)."""


def _arm_scale(meta: dict[str, Any]) -> str:
    """Return the comparison's scale from its arms' resolved scenarios (``?`` if unknown)."""
    scales = {a.get("scenario", {}).get("scenario", {}).get("scale") for a in meta.get("arms", [])}
    scales.discard(None)
    return ", ".join(f"{x:g}" for x in sorted(scales)) if scales else "?"


def _scale_warning(scale: str) -> str:
    """Return a visible warning when the scale is below :data:`RECOMMENDED_SCALE`."""
    try:
        low = min(float(x) for x in scale.split(", "))
    except ValueError:
        return ""
    if low >= RECOMMENDED_SCALE:
        return ""
    return (
        f'<p class="warning"><b>Scale {low:g} is below {RECOMMENDED_SCALE:g}</b>, the smallest '
        "scale at which the documentation trusts civic outcomes (participation, members, "
        "channels, collapsed districts) district by district: a district is then a few hundred "
        "simulated residents and a handful of members, so its civic life moves by chance "
        "(docs/ODD.md section 9). Read prices, moves and city totals; rerun with "
        f"<code>--scale {RECOMMENDED_SCALE:g}</code> or more before reporting civic outcomes "
        "of single districts.</p>"
    )


def _param_changes(params: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Return ``section.key: value (reference value)`` for each parameter that differs."""
    out = []
    for section, values in params.items():
        for key, value in values.items():
            ref = reference.get(section, {}).get(key)
            if value != ref:
                out.append(f"{section}.{key} = {value} (reference {ref})")
    return out


def _arms_html(meta: dict[str, Any]) -> str:
    """Return a table of what each arm changes: its interventions and its parameters."""
    arms = meta.get("arms", [])
    if not arms:
        return ""
    reference = arms[0].get("scenario", {})
    rows = []
    for k, arm in enumerate(arms):
        scen = arm.get("scenario", {})
        months = scen.get("scenario", {}).get("months")
        ivs = [describe_intervention(iv, months) for iv in scen.get("interventions", [])]
        params = (
            [] if k == 0 else _param_changes(scen.get("params", {}), reference.get("params", {}))
        )
        what = "; ".join([*ivs, *params]) or (
            "the base scenario: no intervention" if k == 0 else "nothing (same as the reference)"
        )
        rows.append([f"{arm['arm']}{' (reference)' if k == 0 else ''}", what])
    return _table(["scenario (arm)", "what it changes"], rows)


def _seed_text(seeds: list[int]) -> str:
    if len(seeds) > 4:
        return f"{seeds[0]}, {seeds[1]}, ..., {seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


# ------------------------------------------------------------------ run report
RUN_CITY = (
    ("price_eur_m2_mean", "mean price of an old flat (EUR/m2)"),
    ("reputation_mean", "mean reputation (0..1)"),
    ("liveability_mean", "mean liveability (0..1)"),
    ("identity_mean", "mean identity (0..1)"),
    ("participation_rate", "residents active in the month (%)"),
    ("population", "residents (persons)"),
    ("displacement_persons", "displacement (persons/month)"),
    ("price_gini", "Gini of district prices (0..1)"),
)


def _wrapped(title: str, width: int = 18) -> str:
    """Return ``title`` broken into lines of about ``width`` characters (``<br>``).

    So that subplot titles side by side fit a phone's width; a title with a ``<br>`` is kept.
    """
    return title if "<br>" in title else "<br>".join(textwrap.wrap(title, width))


def _run_city_figure(city: pd.DataFrame) -> go.Figure:
    ncols = 2
    fig = make_subplots(
        rows=math.ceil(len(RUN_CITY) / ncols),
        cols=ncols,
        subplot_titles=[t for _, t in RUN_CITY],
        vertical_spacing=0.09,
    )
    x = city["month"].to_numpy() / 12.0
    for i, (col, title) in enumerate(RUN_CITY):
        y = city[col].to_numpy(dtype=float) * (100.0 if col == "participation_rate" else 1.0)
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", name=title, showlegend=False, line={"color": PALETTE[0]}
            ),
            row=i // ncols + 1,
            col=i % ncols + 1,
        )
    fig.update_xaxes(title_text="years since start")
    return fig


RUN_MAP_LAYERS = (
    ("price_eur_m2", "price of an old flat (EUR/m2)", "Viridis"),
    ("reputation", "reputation (0..1)", "Viridis"),
)
"""The run map's layers: district column, title (with unit) and colour scale."""


def _last_month(districts: pd.DataFrame) -> pd.DataFrame:
    """Return the district rows of the last recorded month, indexed by district name."""
    is_last = districts["month"] == districts["month"].max()
    return districts[is_last].set_index(districts["district"].astype(str)[is_last])


def _district_positions(result: RunResult, names: pd.Index) -> pd.DataFrame:
    """Return the scenario's district coordinates (x_km, y_km) for ``names``.

    Without coordinates in the run's metadata the districts stand in a row.
    """
    specs = pd.DataFrame(result.meta.get("scenario", {}).get("districts", []))
    if specs.empty:
        specs = pd.DataFrame({"name": names, "x_km": np.arange(len(names)), "y_km": 0.0})
    return specs.set_index("name").reindex(names)


def _run_map_figure(result: RunResult) -> go.Figure:
    """Districts at their coordinates coloured by the last month's price or reputation (a menu)."""
    last = _last_month(result.districts)
    specs = _district_positions(result, last.index)
    fig = go.Figure()
    for i, (col, title, scale) in enumerate(RUN_MAP_LAYERS):
        v = last[col].to_numpy(dtype=float)
        hover = [
            f"<b>{_esc(n)}</b><br>{title}: {val:,.4g}<br>mode: {m}<br>residents: {p:,.0f}"
            for n, val, m, p in zip(
                last.index, v, last["mode"].astype(str), last["population"], strict=True
            )
        ]
        marker = {
            "size": 22,
            "color": v,
            "colorscale": scale,
            "line": {"color": "#333", "width": 1},
            "colorbar": {"title": {"text": title.replace(" (", "<br>(")}},
        }
        fig.add_trace(
            _district_markers(
                specs["x_km"], specs["y_km"], list(last.index), hover, marker, title, i == 0
            )
        )
    return _add_layer_menu(fig, [title for _, title, _ in RUN_MAP_LAYERS], ", last month")


def _run_modes_figure(districts: pd.DataFrame) -> go.Figure:
    counts = pd.crosstab(districts["month"], districts["mode"].astype(str)).reindex(
        columns=["traditional", "creative", "innovation_platform"], fill_value=0
    )
    fig = go.Figure()
    x = counts.index.to_numpy() / 12.0
    for i, mode in enumerate(counts.columns):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=counts[mode],
                mode="lines",
                stackgroup="modes",
                name=mode.replace("_", " "),
                line={"color": PALETTE[i]},
            )
        )
    fig.update_layout(
        xaxis={"title": {"text": "years since start"}}, yaxis={"title": {"text": "districts"}}
    )
    return fig


def criterion_label(column: str) -> str:
    """Return a criteria column's readable label, e.g. ``value of the year's innovations, EUR``.

    From its description in :data:`districtsim.criteria.CRITERIA_COLUMNS`, without the
    criterion's number and name.
    """
    text = re.sub(r"^\d+ ", "", CRITERIA_COLUMNS[column])
    return text.split(": ", 1)[-1]


CRITERION_TITLES = {
    "w_commercial": "1 Commercially valuable benefit",
    "w_external": "2 External resources",
    "w_knowledge": "3 Local collective knowledge",
    "w_competence": "4 Competence network",
    "w_support": "5 Public support",
    "w_benefit": "6 Local benefit",
    "w_structure": "7 Communication structure and identity",
}
"""The seven criteria of an innovation platform (MODEL 5.10), by their weight's name."""


def _run_criteria_html(result: RunResult) -> str:
    """Return the criteria of the last program year: one table per criterion, readable labels."""
    crit = result.criteria
    if crit is None or crit.empty:
        return NO_PROGRAM_YEAR
    year = int(crit["program_year"].max())
    d = crit[crit["program_year"] == year]
    blocks = [f"<p>Program year {year} (model months {12 * year} to {12 * year + 11}).</p>"]
    for k, (group, cols) in enumerate(CRITERIA_GROUPS.items()):
        cols = [c for c in cols if c in d.columns]
        units = {c: outcome_unit(CRITERIA_PREFIX + c) for c in cols}
        rows = [
            [str(r["district"]), *(fmt_value(float(r[c]), units[c]) for c in cols)]
            for _, r in d.iterrows()
        ]
        blocks.append(
            f"<details{' open' if k == 0 else ''}><summary>"
            f"{_esc(CRITERION_TITLES[group])}</summary>"
            + _table(["district", *(criterion_label(c) for c in cols)], rows)
            + "</details>"
        )
    return "\n".join(blocks)


def _run_events_html(events: pd.DataFrame) -> str:
    if events.empty:
        return "<p>No events were logged.</p>"
    g = events.groupby("event", sort=True)
    summary = pd.DataFrame(
        {
            "count": g.size(),
            "districts": g["district"].nunique(),
            "first month": g["month"].min(),
            "last month": g["month"].max(),
        }
    )
    rows = [
        [
            ev,
            f"{int(r['count']):,}",
            str(int(r["districts"])),
            str(int(r["first month"])),
            str(int(r["last month"])),
        ]
        for ev, r in summary.iterrows()
    ]
    return _table(["event", "count", "districts", "first month", "last month"], rows)


def write_run_report(result: RunResult, path: str | Path) -> Path:
    """Write a single-run report (one self-contained HTML file) to ``path``; return the path."""
    meta = result.meta
    scen = meta.get("scenario", {}).get("scenario", {})
    name = scen.get("name", "run")
    ivs = [
        describe_intervention(iv, meta.get("months"))
        for iv in meta.get("scenario", {}).get("interventions", [])
    ]
    sections = [
        f"<h1>districtsim run: {_esc(name)}</h1>",
        f'<p class="meta">{_esc(scen.get("description", ""))}<br>'
        f"{result.districts['district'].nunique()} districts, {meta.get('months', '?')} months, "
        f"scale {meta.get('scale', '?')}, "
        f"seed {meta.get('seed', '?')}; districtsim {_esc(meta.get('version', '?'))}. One "
        "run: differences between runs with other seeds are not shown "
        "(use <code>districtsim compare</code> for replicates and confidence intervals).<br>"
        f"Interventions: {_esc('; '.join(ivs) or 'none')}.</p>",
        "<h2>City over time</h2>",
        '<p class="explain">Monthly city values: population-weighted means of the district '
        "stocks and prices, totals of residents and displacement (moves out caused by "
        "housing burden), and the Gini coefficient of district prices (0 = all districts "
        "equally priced).</p>",
        _figure_html(_run_city_figure(result.city), "fig-city", 1100),
        "<h2>Districts on the map</h2>",
        '<p class="explain">Districts at their scenario coordinates (km), coloured by the '
        "value in the last month; choose price or reputation in the menu. Hover for "
        "details.</p>",
        _figure_html(_run_map_figure(result), "fig-map", 600),
        "<h2>Operating modes</h2>",
        '<p class="explain">Number of districts in each operating mode per month: '
        "traditional, creative, or innovation platform (creative with platform status or a "
        "recent innovation record).</p>",
        _figure_html(_run_modes_figure(result.districts), "fig-modes", 400),
        "<h2>Evaluation criteria, last program year</h2>",
        '<p class="explain">The seven criteria of an innovation platform per district; see '
        "docs/outputs.md (criteria) for each column.</p>",
        _run_criteria_html(result),
        "<h2>Events</h2>",
        '<p class="explain">Logged events by type: how often, in how many districts, and '
        "the first and last model month (see docs/outputs.md, events).</p>",
        _run_events_html(result.events),
    ]
    return _write(path, _page(f"districtsim run: {name}", sections))


def write_analysis_report(analysis: SweepAnalysis, path: str | Path) -> Path:
    """Write the sensitivity analysis of a sweep as one self-contained HTML file.

    This is the report of ``districtsim analyze``: a banner when the analysis is incomplete
    or rough, every outcome one at a time (:mod:`districtsim.analysis_report`), and the
    calibration targets when the sweep kept them.
    """
    sweep, when = analysis.spec, analysis.when
    spec = sweep.get("spec", {})
    runs = analysis.runs
    status = f"{runs['ok']} of {sum(runs.values())} runs finished" + "".join(
        f", {runs[s]} {word}"
        for s, word in (("failed", "failed"), ("missing", "not run"))
        if runs[s]
    )
    n_ok = analysis.n_points_ok
    design = (
        f"Design: {_esc(analysis.method)}, {sweep.get('n_points', '?')} points x "
        f"{sweep.get('replicates', '?')} replicates ({status}; {n_ok} design "
        f"point{'' if n_ok == 1 else 's'} with a finished run)"
    )
    other = (
        f" (the sweep kept {analysis.kept_text}: districtsim analyze --{when} chooses another)"
        if len(analysis.kept) > 1
        else ""
    )
    sections = [
        f"<h1>Sensitivity analysis: {_esc(spec.get('name', 'sweep'))}</h1>",
        banner_html(analysis),
        f'<p class="meta">{_esc(spec.get("description", ""))}<br>{design}; outcomes of {when} '
        f"{analysis.at}{other}, each point the mean over its finished replicates; districtsim "
        f"{_esc(sweep.get('version', '?'))}.</p>",
        explorer_html(analysis),
    ]
    accepted = analysis.tables.get("accepted")
    if accepted is not None and len(accepted):
        sections += _calibration_sections(accepted, spec)
    return _write(path, _page(f"districtsim analyze: {spec.get('name', 'sweep')}", sections))


SPLOM_INPUTS = 8
"""Inputs drawn in the calibration report's scatter matrix (the first ones of the design)."""


def _calibration_sections(accepted: pd.DataFrame, spec: dict[str, Any]) -> list[str]:
    """Return the report's calibration part: each target's pass rate, near misses, the region.

    The scatter matrix shows every design point over the numeric inputs, coloured by how many
    targets it misses (0 = accepted).
    """
    targets = spec.get("outputs", {}).get("targets", [])
    n = len(accepted)
    rows = []
    for t in targets:
        met = accepted[f"met_{t['measure']}"]
        only = int(((accepted["targets_missed"] == 1) & ~met).sum())
        values = accepted[t["measure"]]
        rows.append(
            [
                t["name"],
                Target(**t).band(),
                t.get("unit", ""),
                f"{values.min():.4g} to {values.max():.4g}",
                f"{int(met.sum())} of {n}",
                str(only),
            ]
        )
    n_ok = int(accepted["accepted"].sum())
    varied = [
        c
        for c in accepted.columns
        if c in {i["name"] for i in spec.get("inputs", [])}
        and pd.api.types.is_numeric_dtype(accepted[c])
        and not pd.api.types.is_bool_dtype(accepted[c])
    ]
    inputs = varied[:SPLOM_INPUTS]
    missed = accepted["targets_missed"].clip(upper=3)
    colours = {0: "#2ca02c", 1: "#ff7f0e", 2: "#9467bd", 3: "#c7c7c7"}
    fig = go.Figure()
    for k, colour in colours.items():
        sub = accepted[missed == k]
        if sub.empty or not inputs:
            continue
        label = {0: "accepted", 1: "misses one target", 2: "misses two"}.get(k, "misses 3+")
        fig.add_trace(
            go.Splom(
                dimensions=[
                    {"label": _wrapped(c.split(".")[-1].replace("_", " "), 12), "values": sub[c]}
                    for c in inputs
                ],
                name=f"{label} ({len(sub)})",
                marker={"color": colour, "size": 5 if k else 7},
                diagonal_visible=False,
                showupperhalf=False,
            )
        )
    fig.update_layout(legend={"orientation": "h", "y": 1.05})
    sections = [
        "<h2>Calibration targets</h2>",
        f'<p class="explain">{n_ok} of {n} design points meet every target (the accepted '
        "region; each point's measures are the means over its finished replicates). A target "
        "that no point meets, or that is the only one many points miss, shows where the model "
        "and the data disagree rather than a parameter to tune.</p>",
        _table(
            ["target", "band", "unit", "range over the points", "points meeting it", "only miss"],
            rows,
        ),
    ]
    if inputs:
        sections += [
            "<h3>What sets each target</h3>",
            '<p class="explain">Each target\'s measure over the points against the input it '
            "follows most closely (the largest absolute Spearman rank correlation, given in "
            "the title); the shaded band is the target's, green points meet it.</p>",
            _figure_html(
                _target_drivers_figure(accepted, targets, varied),
                "fig-target-drivers",
                300 * math.ceil(len(targets) / 3) + 80,
            ),
            "<h3>Where the points lie</h3>",
            f'<p class="explain">Each point over the inputs {", ".join(inputs)}, coloured by '
            "how many targets it misses.</p>",
            _figure_html(fig, "fig-calibration", 150 * len(inputs) + 120),
        ]
    return sections


def _target_drivers_figure(
    accepted: pd.DataFrame, targets: list[dict[str, Any]], inputs: list[str]
) -> go.Figure:
    """Return one panel per target: its measure against its most rank-correlated input."""
    from scipy import stats  # here: importing scipy.stats takes 0.3 s, and a run does not need it

    ncols = 3
    drivers = []
    for t in targets:
        y = accepted[t["measure"]]
        rho = {c: stats.spearmanr(accepted[c], y)[0] if y.nunique() > 1 else 0.0 for c in inputs}
        best = max(inputs, key=lambda c: abs(np.nan_to_num(rho[c])))
        drivers.append((t, best, rho[best]))
    fig = make_subplots(
        rows=math.ceil(len(targets) / ncols),
        cols=ncols,
        subplot_titles=[
            f"{t['name']}<br>vs {c.split('.')[-1]} (rho {r:+.2f})" for t, c, r in drivers
        ],
        vertical_spacing=0.4 / max(1, math.ceil(len(targets) / ncols)),
        horizontal_spacing=0.08,
    )
    for k, (t, c, _) in enumerate(drivers):
        row, col = k // ncols + 1, k % ncols + 1
        met = accepted[f"met_{t['measure']}"]
        fig.add_scatter(
            x=accepted[c],
            y=accepted[t["measure"]],
            mode="markers",
            marker={"color": np.where(met, "#2ca02c", "#c7c7c7"), "size": 5},
            showlegend=False,
            hovertext=[f"point {p}" for p in accepted["point"]],
            row=row,
            col=col,
        )
        y = accepted[t["measure"]]
        low, high = t.get("low"), t.get("high")
        y0 = low if low is not None else min(float(y.min()), high)
        y1 = high if high is not None else max(float(y.max()), low)
        fig.add_hrect(
            y0=y0, y1=y1, fillcolor="#2ca02c", opacity=0.12, line_width=0, row=row, col=col
        )
    return fig


__all__ = ["OUTCOMES", "write_analysis_report", "write_compare_report", "write_run_report"]
