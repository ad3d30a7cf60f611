"""The outcome explorer of ``districtsim analyze``'s report: every outcome, one at a time.

The report of a sweep (:func:`districtsim.report.write_analysis_report`) shows one outcome at a
time, chosen from a list grouped by place (the city, each district, the calibration targets)
that a text box filters as you type. Choosing an outcome redraws, with the page's plotly.js,
its sensitivity indices (Sobol S1 and ST with their 95% intervals; Morris mu* against sigma
with the replicate-noise floor; for grids and Latin hypercubes Spearman's rho with its 95%
interval), the outcome against each of its most influential inputs (each design point's mean
over its finished replicates, with bars from the lowest to the highest replicate), and a table
of every input's indices. The page embeds the data once, as compact JSON: per outcome its
point means and indices, per input its values at the points, not a figure per outcome.

Above it, a banner says what makes the analysis incomplete or rough
(:attr:`districtsim.analysis.SweepAnalysis.problems` and ``cautions``).
"""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from districtsim.outputs import column

if TYPE_CHECKING:
    from districtsim.analysis import SweepAnalysis

SCATTER_INPUTS = 12
"""Inputs an outcome is plotted against: its most influential ones (by the design's index)."""

BAR_INPUTS = 20
"""Inputs in an outcome's bar chart of indices (the largest); the table lists them all."""

MORRIS_LABELLED = 10
"""Inputs named on the Morris chart (the largest mu*); the others show their name on hover."""

EXPLAIN = {
    "sobol": (
        "First-order index S1: the share of the outcome's variance explained by the input "
        "alone; total index ST: including its interactions. Bars are 95% bootstrap "
        "intervals. Inputs with ST near 0 do not matter over their ranges."
    ),
    "morris": (
        "mu* is the mean absolute elementary effect of moving an input across its range "
        "(on a 0-1 scale), a ranking of importance; sigma is their spread: high sigma "
        "means non-linear effects or interactions. Bars are 95% bootstrap intervals of mu*. "
        "The dotted line is the mu* that replicate noise alone would give (an upper bound); "
        "inputs left of it are not told apart from noise."
    ),
    "other": (
        "Spearman rank correlation of the outcome with each input over the design points "
        "(-1..1), with its 95% interval (Fisher's z with Bonett and Wright's standard error; "
        "wide with few points). In the table also the slope of a least-squares line per unit "
        "of the input; the mean outcome per level is in levels.csv."
    ),
}
"""How to read the indices of each design method (``other``: grid and lhs)."""

RANKED_BY = {"sobol": "ST", "morris": "mu_star", "other": "spearman_rho"}
"""The index that orders an outcome's inputs (its absolute value), by design method."""

RANKED_LABEL = {"sobol": "ST", "morris": "mu*", "other": "|rho|"}
"""How the explorer names the index that orders the inputs."""

TABLE_COLUMNS = {
    "sobol": [
        ("S1", "S1"),
        ("S1_conf", "S1 95% +-"),
        ("ST", "ST"),
        ("ST_conf", "ST 95% +-"),
        ("S2_max", "largest |S2|"),
    ],
    "morris": [
        ("mu_star", "mu*"),
        ("mu_star_conf", "mu* 95% +-"),
        ("sigma", "sigma"),
        ("mu", "mu"),
    ],
    "other": [
        ("spearman_rho", "Spearman rho"),
        ("spearman_lo", "95% low"),
        ("spearman_hi", "95% high"),
        ("spearman_p", "p-value"),
        ("slope_per_unit", "slope per unit"),
        ("n_points", "points"),
    ],
}
"""The columns of an outcome's table of indices (column of ``indices``, heading), by method."""

GROUPS = {"city": "City", "target": "Calibration targets"}
"""The heading of an outcome's group in the list (a district's is its name)."""


def outcome_label(scope: str, variable: str, when: str, spec: dict[str, Any]) -> tuple[str, str]:
    """Return an outcome's description and unit, from its declaration in districtsim.outputs.

    A calibration target's come from the sweep's targets; an undeclared variable has neither.
    """
    if scope == "target":
        for t in spec.get("outputs", {}).get("targets", []):
            if t["measure"] == variable:
                return t["name"], t.get("unit", "")
        return "", ""
    try:
        col = column("district" if scope == "district" else "city", variable)
    except KeyError:
        return "", ""
    return col.description, col.yearly_unit if when == "year" else col.unit


def banner_html(analysis: SweepAnalysis) -> str:
    """Return the warning at the top of the report, or nothing when the analysis is sound."""
    lines = [f"<p><strong>{html.escape(p)}.</strong></p>" for p in analysis.problems]
    lines += [f"<p>{html.escape(c)}.</p>" for c in analysis.cautions]
    if not lines:
        return ""
    return '<div class="warning" id="analysis-banner">' + "".join(lines) + "</div>"


def explorer_html(analysis: SweepAnalysis) -> str:
    """Return the outcome chooser, the places of its figures and table, its data and script."""
    spec = analysis.spec["spec"]
    keys = analysis.outcomes
    method = analysis.method
    kind = method if method in ("sobol", "morris") else "other"
    groups: dict[str, list[str]] = {}
    for k, (scope, district, variable) in enumerate(keys):
        label, unit = outcome_label(scope, variable, analysis.when, spec)
        text = (
            (f"{district}: " if district else "")
            + variable
            + (f" ({unit})" if unit else "")
            + (f": {label}" if label else "")
        )
        if (scope, district, variable) in analysis.without_indices:
            text += " [no indices]"
        group = district or GROUPS.get(scope, scope)
        groups.setdefault(group, []).append(f'<option value="{k}">{html.escape(text)}</option>')
    options = "".join(
        f'<optgroup label="{html.escape(g)}">{"".join(opts)}</optgroup>'
        for g, opts in groups.items()
    )
    counts = [
        (sum(1 for k in keys if k[0] == "city"), "of the city"),
        (
            sum(1 for k in keys if k[0] == "district"),
            f"of {len({k[1] for k in keys if k[0] == 'district'})} districts",
        ),
        (sum(1 for k in keys if k[0] == "target"), "calibration target measures"),
    ]
    listed = ", ".join(f"{n} {what}" for n, what in counts if n)
    payload = json.dumps(_payload(analysis, kind), separators=(",", ":"), allow_nan=False)
    payload = payload.replace("</", "<\\/").replace("<!--", "<\\!--")
    return "\n".join(
        [
            '<h2 id="outcomes">Indices by outcome</h2>',
            f'<p class="explain">{len(keys)} outcome{"" if len(keys) == 1 else "s"} '
            f"({listed}). Choose one from the list "
            "(or type words of its name, district or unit to narrow the list); its figures and "
            "table below are redrawn. Every index of every outcome is in indices.csv next to "
            "this file.</p>",
            '<div class="chooser">'
            '<label for="outcome-filter">Find</label>'
            '<input id="outcome-filter" type="search" autocomplete="off" '
            'placeholder="e.g. price Kallio">'
            '<label for="outcome-select">Outcome</label>'
            f'<select id="outcome-select">{options}</select>'
            f'<span id="outcome-count" class="meta">{len(keys)} of {len(keys)} outcomes</span>'
            "</div>",
            '<h3 id="outcome-title"></h3>',
            '<p id="outcome-facts" class="meta"></p>',
            '<p id="outcome-note" class="warning" hidden></p>',
            f'<p class="explain">{html.escape(EXPLAIN[kind])}</p>',
            '<p id="indices-note" class="meta"></p>',
            '<div id="fig-indices"></div>',
            "<h3>The outcome against its most influential inputs</h3>",
            '<p class="explain">Each dot is a design point: the input\'s value and the mean of '
            "the outcome over the point's finished replicates"
            + (
                "; the bar spans the lowest to the highest replicate"
                if _has_spread(analysis)
                else ""
            )
            + ". The panels share the vertical axis. Points without a finished run are left "
            "out.</p>",
            '<p id="scatter-note" class="meta"></p>',
            '<div id="fig-scatter"></div>',
            "<h3>Every input's indices for this outcome</h3>",
            '<div id="indices-table" class="table-wrap"></div>',
            f'<script type="application/json" id="analysis-data">{payload}</script>',
            f"<script>{EXPLORER_JS}</script>",
        ]
    )


def _has_spread(analysis: SweepAnalysis) -> bool:
    """Return True when the report draws replicate spread: grids and hypercubes, replicates."""
    return analysis.method in ("grid", "lhs") and int(analysis.spec.get("replicates", 1)) > 1


def _ranking(table: pd.DataFrame, measure: str) -> list[int]:
    """Return the input positions by decreasing absolute ``measure``, NaN last, ties in order."""
    size = table[measure].abs().to_numpy(dtype=float)
    return sorted(range(len(size)), key=lambda i: (math.isnan(size[i]), -np.nan_to_num(size[i])))


def _numbers(values: Any, digits: int) -> list[float | None]:
    """Return floats rounded to ``digits`` significant digits, None for NaN and infinities."""
    out: list[float | None] = []
    for v in np.asarray(values, dtype=float):
        if not math.isfinite(v):
            out.append(None)
        else:
            r = float(f"{v:.{digits}g}")
            out.append(int(r) if r.is_integer() and abs(r) < 1e15 else r)
    return out


def _payload(analysis: SweepAnalysis, kind: str) -> dict[str, Any]:
    """Return the data the explorer draws from: per outcome its point values and indices."""
    names = list(analysis.points.columns)
    point_ids = analysis.points.index
    indices = analysis.tables["indices"]
    by_key = {
        tuple(str(v) for v in key): table.set_index("input").reindex(names)
        for key, table in indices.groupby(["scope", "district", "variable"], sort=False)
    }
    per_point = {
        tuple(str(v) for v in key): table.droplevel([0, 1, 2]).reindex(point_ids)
        for key, table in analysis.values.groupby(level=[0, 1, 2], observed=True)
    }
    columns = [(c, h) for c, h in TABLE_COLUMNS[kind] if c in indices.columns]
    spread = _has_spread(analysis)
    scattered: set[int] = set()
    outcomes = []
    for key in analysis.outcomes:
        table, values = by_key[key], per_point[key]
        order = _ranking(table, RANKED_BY[kind])
        scattered.update(order[:SCATTER_INPUTS])
        item: dict[str, Any] = {
            "name": _display_name(key),
            "note": analysis.notes.get(key),
            "facts": _facts(analysis, table, values),
            "y": _numbers(values["mean"], 5),
            "order": order,
            "idx": {c: _numbers(table[c], 4) for c, _ in columns},
        }
        label, unit = outcome_label(key[0], key[2], analysis.when, analysis.spec["spec"])
        item |= {"label": label, "unit": unit}
        if kind == "morris" and "noise_mu_star" in table:
            item["floor"] = _numbers(table["noise_mu_star"].iloc[:1], 4)[0]
        if spread:
            item["below"] = _numbers(values["mean"] - values["min"], 3)
            item["above"] = _numbers(values["max"] - values["mean"], 3)
        outcomes.append(item)
    return {
        "method": kind,
        "ranked": RANKED_BY[kind],
        "rankedLabel": RANKED_LABEL[kind],
        "inputs": names,
        "points": [int(p) for p in point_ids],
        "x": {names[i]: _input_values(analysis.points[names[i]]) for i in sorted(scattered)},
        "columns": columns,
        "scatterInputs": SCATTER_INPUTS,
        "barInputs": BAR_INPUTS,
        "labelled": MORRIS_LABELLED,
        "outcomes": outcomes,
    }


def _display_name(key: tuple[str, str, str]) -> str:
    """Return an outcome's heading: ``variable``, ``variable in District``, target ``measure``."""
    scope, district, variable = key
    if scope == "target":
        return f"calibration target measure {variable}"
    return f"{variable} in {district}" if district else f"{variable} (city)"


def _input_values(values: pd.Series) -> list[Any]:
    """Return an input's values at the design points: numbers, or text for categories."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return _numbers(values, 5)
    return [str(v) for v in values]


def _facts(analysis: SweepAnalysis, table: pd.DataFrame, values: pd.DataFrame) -> str:
    """Return one line on an outcome's data: points with a value, replicate noise."""
    n = int(values["mean"].notna().sum())
    facts = [
        f"{analysis.when} {analysis.at}; {n} of {len(analysis.points)} design points with a value"
    ]
    sd = table["replicate_sd"].iloc[0] if "replicate_sd" in table and len(table) else np.nan
    if math.isfinite(sd):
        facts.append(f"replicate standard deviation {sd:.3g}")
    share = table["noise_share"].iloc[0] if "noise_share" in table and len(table) else np.nan
    if math.isfinite(share):
        facts.append(f"replicate noise makes {share:.0%} of the variance of the point means")
    floor = table["noise_mu_star"].iloc[0] if "noise_mu_star" in table and len(table) else np.nan
    if math.isfinite(floor):
        facts.append(f"replicate noise alone would give mu* {floor:.3g}")
    return "; ".join(facts)


EXPLORER_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("analysis-data").textContent);
  var select = document.getElementById("outcome-select");
  var filter = document.getElementById("outcome-filter");
  var count = document.getElementById("outcome-count");
  var config = {displaylogo: false, responsive: true};
  var names = data.inputs;
  var options = Array.prototype.map.call(select.querySelectorAll("option"), function (o) {
    return {value: o.value, text: o.textContent, group: o.parentNode.label};
  });

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) { return "n/a"; }
    if (v === 0) { return "0"; }
    var a = Math.abs(v);
    if (a >= 1000) { return Math.round(v).toLocaleString("en-US"); }
    if (a < 0.001) { return v.toExponential(2); }
    return String(Number(v.toPrecision(3)));
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }
  function short(name) { return name.split(".").pop(); }
  function yTitle(o) { return o.unit ? "outcome (" + o.unit + ")" : "outcome"; }

  function drawIndices(o) {
    var div = document.getElementById("fig-indices");
    var note = document.getElementById("indices-note");
    var idx = o.idx, traces, layout, top;
    note.textContent = "";
    if (data.method === "morris") {
      var labelled = {};
      o.order.slice(0, data.labelled).forEach(function (i) { labelled[i] = true; });
      traces = [{
        type: "scatter", mode: "markers+text", x: idx.mu_star, y: idx.sigma,
        text: names.map(function (n, i) { return labelled[i] ? short(n) : ""; }),
        hovertext: names, textposition: "top center", name: "inputs",
        hovertemplate: "%{hovertext}<br>mu* %{x:.3g}, sigma %{y:.3g}<extra></extra>",
        error_x: {type: "data", array: idx.mu_star_conf, thickness: 1, width: 0},
        marker: {color: "#1f77b4", size: 7}
      }];
      layout = {
        height: 460, shapes: [], annotations: [],
        xaxis: {title: {text: "mu* (mean |elementary effect|, outcome per input range)"},
          rangemode: "tozero"},
        yaxis: {title: {text: "sigma"}, rangemode: "tozero"}
      };
      if (o.floor !== undefined && o.floor !== null) {
        layout.shapes.push({type: "line", xref: "x", yref: "paper", x0: o.floor, x1: o.floor,
          y0: 0, y1: 1, line: {dash: "dot", color: "#7f7f7f"}});
        layout.annotations.push({x: o.floor, xref: "x", y: 1, yref: "paper", showarrow: false,
          text: "replicate noise", xanchor: "left", font: {color: "#7f7f7f"}});
      }
      if (names.length > data.labelled) {
        note.textContent = "The " + data.labelled + " inputs with the largest mu* are named; " +
          "hover for the others (" + names.length + " inputs).";
      }
    } else {
      top = o.order.slice(0, data.barInputs).reverse();
      var ys = top.map(function (i) { return names[i]; });
      if (data.method === "sobol") {
        traces = [["S1", "first order S1", "#1f77b4"], ["ST", "total ST", "#d62728"]].map(
          function (s) {
            var conf = idx[s[0] + "_conf"];
            return {type: "bar", orientation: "h", y: ys, name: s[1], marker: {color: s[2]},
              x: top.map(function (i) { return idx[s[0]][i]; }),
              error_x: {type: "data", array: top.map(function (i) { return conf[i]; })}};
          });
        layout = {barmode: "group", xaxis: {title: {text: "Sobol index (share of variance)"}}};
      } else {
        var rho = idx.spearman_rho, lo = idx.spearman_lo, hi = idx.spearman_hi;
        traces = [{
          type: "bar", orientation: "h", y: ys, name: "Spearman rho", marker: {color: "#1f77b4"},
          x: top.map(function (i) { return rho[i]; }),
          error_x: {type: "data", symmetric: false,
            array: top.map(function (i) { return hi[i] === null ? null : hi[i] - rho[i]; }),
            arrayminus: top.map(function (i) { return lo[i] === null ? null : rho[i] - lo[i]; })},
          hovertemplate: "%{y}: rho %{x:.2f}<extra></extra>"
        }];
        layout = {xaxis: {range: [-1, 1], zeroline: true,
          title: {text: "Spearman rank correlation with the outcome (95% interval)"}}};
      }
      layout.height = 120 + 26 * top.length * (data.method === "sobol" ? 1.6 : 1);
      layout.yaxis = {automargin: true};
      layout.legend = {orientation: "h", y: -0.15};
      if (names.length > data.barInputs) {
        note.textContent = "The " + data.barInputs + " of " + names.length + " inputs with " +
          "the largest " + data.rankedLabel + "; every input is in the table.";
      }
    }
    layout.template = "plotly_white";
    layout.margin = {l: 60, r: 30, t: 30, b: 60};
    Plotly.react(div, traces, layout, config);
  }

  function drawScatter(o) {
    var div = document.getElementById("fig-scatter");
    var top = o.order.slice(0, data.scatterInputs);
    var ncol = Math.min(div.clientWidth < 640 ? 1 : 3, top.length);
    var nrow = Math.ceil(top.length / ncol);
    var layout = {height: 80 + 250 * nrow, showlegend: false, annotations: [],
      grid: {rows: nrow, columns: ncol, pattern: "independent", xgap: 0.12, ygap: 0.45},
      margin: {l: 70, r: 30, t: 40, b: 50}};
    var traces = top.map(function (i, j) {
      var ax = j === 0 ? "" : String(j + 1);
      var x = data.x[names[i]];
      var trace = {type: "scatter", mode: "markers", x: x, y: o.y, xaxis: "x" + ax, yaxis: "y" + ax,
        customdata: data.points, marker: {color: "#1f77b4", size: 6, opacity: 0.8},
        hovertemplate: esc(short(names[i])) + " %{x}<br>outcome %{y:.4g}" +
          "<extra>point %{customdata}</extra>"};
      if (o.below) {
        trace.error_y = {type: "data", symmetric: false, thickness: 1, width: 0,
          color: "rgba(31,119,180,0.45)", array: o.above, arrayminus: o.below};
      }
      var rank = data.rankedLabel.replace(/\|/g, "") + " " + fmt(o.idx[data.ranked][i]);
      layout.annotations.push({text: esc(short(names[i])) + " (" + rank + ")",
        xref: "x" + ax + " domain", yref: "y" + ax + " domain", x: 0.5, y: 1.02,
        xanchor: "center", yanchor: "bottom", showarrow: false, font: {size: 12}});
      layout["xaxis" + ax] = {title: {text: names[i], font: {size: 11}},
        type: typeof x[0] === "string" ? "category" : "-"};
      layout["yaxis" + ax] = j ? {matches: "y"} : {title: {text: yTitle(o), font: {size: 11}}};
      return trace;
    });
    layout.template = "plotly_white";
    Plotly.react(div, traces, layout, config);
    document.getElementById("scatter-note").textContent = names.length > top.length ?
      "Against the " + top.length + " of " + names.length + " inputs with the largest " +
      data.rankedLabel + "." : "";
  }

  function drawTable(o) {
    var head = "<tr><th class=\"name\">input</th>" + data.columns.map(function (c) {
      return "<th>" + esc(c[1]) + "</th>";
    }).join("") + "</tr>";
    var body = o.order.map(function (i) {
      return "<tr><td class=\"name\">" + esc(names[i]) + "</td>" + data.columns.map(function (c) {
        var v = o.idx[c[0]][i];
        return "<td>" + (c[0] === "n_points" && v !== null ? String(v) : fmt(v)) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    document.getElementById("indices-table").innerHTML =
      "<table><thead>" + head + "</thead><tbody>" + body + "</tbody></table>";
  }

  function draw(k) {
    var o = data.outcomes[k];
    document.getElementById("outcome-title").textContent =
      o.name + (o.label ? ": " + o.label : "") + (o.unit ? " (" + o.unit + ")" : "");
    document.getElementById("outcome-facts").textContent = o.facts;
    var note = document.getElementById("outcome-note");
    note.textContent = o.note ? "This outcome: " + o.note + "." : "";
    note.hidden = !o.note;
    drawIndices(o);
    drawScatter(o);
    drawTable(o);
    document.body.setAttribute("data-outcome", String(k));
  }

  function refill() {
    var terms = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var current = select.value, group = null, parent = null, shown = [];
    select.textContent = "";
    options.forEach(function (o) {
      var hay = (o.group + " " + o.text).toLowerCase();
      if (!terms.every(function (t) { return hay.indexOf(t) >= 0; })) { return; }
      if (o.group !== group) {
        parent = document.createElement("optgroup");
        parent.label = o.group;
        select.appendChild(parent);
        group = o.group;
      }
      var el = document.createElement("option");
      el.value = o.value;
      el.textContent = o.text;
      parent.appendChild(el);
      shown.push(o.value);
    });
    count.textContent = shown.length + " of " + options.length + " outcomes";
    if (shown.length && shown.indexOf(current) < 0) {
      select.value = shown[0];
      draw(Number(shown[0]));
    } else if (shown.length) {
      select.value = current;
    }
  }

  select.addEventListener("change", function () { draw(Number(select.value)); });
  filter.addEventListener("input", refill);
  if (data.outcomes.length) { draw(Number(select.value)); }
})();
"""
"""The explorer's script: fills and filters the list, draws the chosen outcome with Plotly."""

__all__ = ["banner_html", "explorer_html", "outcome_label"]
