"""``docs/sensitivity.md`` shows what the committed sensitivity result tables hold.

The Morris screen (``experiments/sensitivity/results/morris_default_city/indices.csv``, the
``analysis/indices.csv`` that ``districtsim analyze`` wrote for the sweep
``morris_default_city``) and the Sobol study (``.../sobol_default_city/indices.csv``) are
summarised in ``docs/sensitivity.md`` between markers (``<!-- morris-table:start -->`` ...)
and drawn in ``docs/figures/*.svg``. Both are generated from the CSV files by this module:
after a new sweep, copy its ``analysis/indices.csv`` over the committed one and regenerate
with ``.venv/bin/python tests/test_sensitivity_doc.py``. A table or figure that no longer
matches its file fails here, and so does a quoted figure that is not in the tables.
"""

from __future__ import annotations

import html
import math
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from districtsim.params import param_rows
from helpers import doc_block, rewrite_blocks

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sensitivity.md"
FIGURES = ROOT / "docs" / "figures"
RESULTS = ROOT / "experiments" / "sensitivity" / "results"
REGENERATE = "regenerate with `.venv/bin/python tests/test_sensitivity_doc.py`"

OUTCOMES = {
    "price_gini": ("price Gini", "0..1"),
    "price_gap_creative_traditional_eur_m2": ("creative-traditional price gap", "EUR/m2"),
    "participation_rate": ("city participation", "share"),
    "districts_participation_below_half_percent": ("collapsed civic life", "districts"),
    "displacement_persons": ("displacement", "persons/year"),
    "innovations": ("innovations", "innovations/year"),
}
"""The screen's outcomes (city, year 19, the last): label and unit (flows are the year's sum)."""

TOP = 10
"""Inputs listed per outcome in the Morris tables and drawn in the figure."""


def significant(value: float) -> str:
    """Format a number with three significant digits (no exponent for everyday sizes)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return f"{value:,.{digits}f}"


def morris_indices() -> pd.DataFrame:
    """Return the committed Morris indices of the six city outcomes."""
    df = pd.read_csv(RESULTS / "morris_default_city" / "indices.csv")
    df = df[(df["scope"] == "city") & df["variable"].isin(OUTCOMES)]
    assert set(df["variable"]) == set(OUTCOMES), "expected the screen's six outcomes"
    return df


def overall_ranking(df: pd.DataFrame) -> pd.DataFrame:
    """Return each input's mu* relative to the largest mu* of each outcome, and their maximum.

    An input above the noise floor (``mu_star - mu_star_conf > noise_mu_star``) for an outcome
    counts in ``outcomes_above_noise``.
    """
    rel = df.assign(
        relative=df["mu_star"] / df.groupby("variable")["mu_star"].transform("max"),
        above=(df["mu_star"] - df["mu_star_conf"]) > df["noise_mu_star"],
    )
    wide = rel.pivot(index="input", columns="variable", values="relative")[list(OUTCOMES)]
    out = wide.assign(
        largest=wide.max(axis=1),
        outcomes_above_noise=rel.groupby("input")["above"].sum(),
    )
    return out.sort_values("largest", ascending=False)


def morris_overall_table(df: pd.DataFrame, n: int = 20) -> str:
    """Return the Markdown table of the ``n`` inputs with the largest relative mu*."""
    ranking = overall_ranking(df).head(n)
    head = "| rank | input | " + " | ".join(OUTCOMES[v][0] for v in OUTCOMES)
    head += " | outcomes above noise |"
    lines = [head, "|" + "---|" * (len(OUTCOMES) + 3)]
    for rank, (name, row) in enumerate(ranking.iterrows(), start=1):
        cells = [f"{row[v]:.2f}" for v in OUTCOMES]
        above = int(row["outcomes_above_noise"])
        lines.append(f"| {rank} | `{name}` | " + " | ".join(cells) + f" | {above} |")
    return "\n".join(lines)


def morris_outcome_tables(df: pd.DataFrame) -> str:
    """Return one Markdown table per outcome: its top inputs with mu*, interval, mu and sigma."""
    parts = []
    for variable, (label, unit) in OUTCOMES.items():
        sub = df[df["variable"] == variable].sort_values("mu_star", ascending=False)
        floor = sub["noise_mu_star"].iloc[0]
        above = int(((sub["mu_star"] - sub["mu_star_conf"]) > sub["noise_mu_star"]).sum())
        parts.append(
            f"**{label}** (`{variable}`, {unit}; replicate SD "
            f"{significant(sub['replicate_sd'].iloc[0])}, noise floor of mu* "
            f"{significant(floor)}; {above} of {len(sub)} inputs above it)\n"
        )
        parts.append("| rank | input | mu* | 95% interval | mu | sigma |")
        parts.append("|---|---|---|---|---|---|")
        for rank, row in enumerate(sub.head(TOP).itertuples(), start=1):
            lo, hi = row.mu_star - row.mu_star_conf, row.mu_star + row.mu_star_conf
            parts.append(
                f"| {rank} | `{row.input}` | {significant(row.mu_star)} | "
                f"{significant(lo)} to {significant(hi)} | {significant(row.mu)} | "
                f"{significant(row.sigma)} |"
            )
        parts.append("")
    return "\n".join(parts).rstrip()


def morris_figure(df: pd.DataFrame) -> str:
    """Return an SVG: per outcome, the top inputs' mu* as bars with their 95% intervals.

    A dotted line marks the noise floor. Hand-written SVG: no plotting dependency, and it shows
    on any Markdown viewer.
    """
    panel_w, panel_h, label_w, bar_h, top = 560, 40 + 22 * TOP, 250, 16, 34
    cols = 2
    rows = math.ceil(len(OUTCOMES) / cols)
    width, height = cols * panel_w, rows * panel_h + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for k, (variable, (label, unit)) in enumerate(OUTCOMES.items()):
        x0, y0 = (k % cols) * panel_w, (k // cols) * panel_h
        sub = df[df["variable"] == variable].sort_values("mu_star", ascending=False).head(TOP)
        floor = float(sub["noise_mu_star"].iloc[0])
        span = float(max((sub["mu_star"] + sub["mu_star_conf"]).max(), floor)) or 1.0
        plot_w = panel_w - label_w - 30

        def xpos(v: float, x0: int = x0, span: float = span, plot_w: int = plot_w) -> float:
            return x0 + label_w + plot_w * max(v, 0.0) / span

        out.append(
            f'<text x="{x0 + 10}" y="{y0 + 18}" font-size="13" font-weight="bold">'
            f"{html.escape(label)} (mu*, {html.escape(unit)} over the range)</text>"
        )
        for j, row in enumerate(sub.itertuples()):
            y = y0 + top + j * 22
            out.append(
                f'<text x="{x0 + label_w - 6}" y="{y + 12}" text-anchor="end">'
                f"{html.escape(row.input)}</text>"
            )
            out.append(
                f'<rect x="{x0 + label_w}" y="{y}" width="{xpos(row.mu_star) - x0 - label_w:.1f}" '
                f'height="{bar_h}" fill="#4c78a8"/>'
            )
            lo, hi = xpos(row.mu_star - row.mu_star_conf), xpos(row.mu_star + row.mu_star_conf)
            out.append(
                f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{y + bar_h / 2}" y2="{y + bar_h / 2}" '
                'stroke="black"/>'
            )
        fx = xpos(floor)
        out.append(
            f'<line x1="{fx:.1f}" x2="{fx:.1f}" y1="{y0 + top - 4}" y2="{y0 + top + 22 * TOP}" '
            'stroke="#888" stroke-dasharray="3,3"/>'
        )
        out.append(
            f'<text x="{x0 + label_w}" y="{y0 + top + 22 * TOP + 12}" fill="#555">0</text>'
            f'<text x="{x0 + label_w + plot_w}" y="{y0 + top + 22 * TOP + 12}" fill="#555" '
            f'text-anchor="end">{significant(span)}</text>'
        )
    out.append(
        f'<text x="10" y="{height - 6}" fill="#555">bars: mu* of the ten largest inputs, '
        "lines: 95% bootstrap interval, dotted: noise floor (mu* of replicate noise alone)</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def sobol_indices() -> pd.DataFrame:
    """Return the committed Sobol indices of the six city outcomes."""
    df = pd.read_csv(RESULTS / "sobol_default_city" / "indices.csv")
    df = df[(df["scope"] == "city") & df["variable"].isin(OUTCOMES)]
    assert set(df["variable"]) == set(OUTCOMES), "expected the study's six outcomes"
    return df


def interval(value: float, conf: float) -> str:
    """Return ``value [low, high]`` with three decimals."""
    return f"{value:.3f} [{value - conf:.3f}, {value + conf:.3f}]"


def sobol_tables(df: pd.DataFrame) -> str:
    """Return one Markdown table of S1 and ST (95% intervals) per input, one column pair an outcome.

    The last rows give the sum of first-order indices and the replicate-noise share.
    """
    inputs = list(dict.fromkeys(df["input"]))
    parts = []
    for variable, (label, unit) in OUTCOMES.items():
        sub = df[df["variable"] == variable].set_index("input").reindex(inputs)
        s1_sum = float(sub["S1"].sum())
        noise = float(sub["noise_share"].iloc[0])
        parts.append(
            f"**{label}** (`{variable}`, {unit}; sum of S1 {s1_sum:.2f}, replicate noise "
            f"{noise:.1%} of the variance)\n"
        )
        parts.append("| input | S1 [95% interval] | ST [95% interval] |")
        parts.append("|---|---|---|")
        for name, row in sub.sort_values("ST", ascending=False).iterrows():
            parts.append(
                f"| `{name}` | {interval(row.S1, row.S1_conf)} | {interval(row.ST, row.ST_conf)} |"
            )
        parts.append("")
    return "\n".join(parts).rstrip()


def sobol_figure(df: pd.DataFrame) -> str:
    """Return an SVG: per outcome, each input's S1 (dark) and ST (light) with 95% intervals."""
    inputs = list(dict.fromkeys(df["input"]))
    panel_w, label_w, row_h = 560, 250, 26
    top = 34
    panel_h = top + row_h * len(inputs) + 24
    cols = 2
    rows = math.ceil(len(OUTCOMES) / cols)
    width, height = cols * panel_w, rows * panel_h + 20
    plot_w = panel_w - label_w - 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for k, (variable, (label, _unit)) in enumerate(OUTCOMES.items()):
        x0, y0 = (k % cols) * panel_w, (k // cols) * panel_h
        sub = df[df["variable"] == variable].set_index("input").reindex(inputs)

        def xpos(v: float, x0: int = x0) -> float:
            return x0 + label_w + plot_w * min(max(v, 0.0), 1.0)

        out.append(
            f'<text x="{x0 + 10}" y="{y0 + 18}" font-size="13" font-weight="bold">'
            f"{html.escape(label)} (share of variance)</text>"
        )
        for j, (name, row) in enumerate(sub.iterrows()):
            y = y0 + top + j * row_h
            out.append(
                f'<text x="{x0 + label_w - 6}" y="{y + 14}" text-anchor="end">'
                f"{html.escape(name)}</text>"
            )
            for value, conf, dy, colour in (
                (row.ST, row.ST_conf, 0, "#9ecae9"),
                (row.S1, row.S1_conf, 10, "#4c78a8"),
            ):
                out.append(
                    f'<rect x="{x0 + label_w}" y="{y + dy}" '
                    f'width="{xpos(value) - x0 - label_w:.1f}" height="9" fill="{colour}"/>'
                )
                lo, hi = xpos(value - conf), xpos(value + conf)
                out.append(
                    f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{y + dy + 4.5}" y2="{y + dy + 4.5}" '
                    'stroke="black"/>'
                )
        base = y0 + top + row_h * len(inputs)
        out.append(
            f'<text x="{x0 + label_w}" y="{base + 12}" fill="#555">0</text>'
            f'<text x="{x0 + label_w + plot_w}" y="{base + 12}" fill="#555" '
            'text-anchor="end">1</text>'
        )
    out.append(
        f'<text x="10" y="{height - 6}" fill="#555">light: total order ST, dark: first order S1; '
        "lines: 95% bootstrap intervals</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def morris_points() -> pd.DataFrame:
    """Return the committed point means of the screen (first and last year)."""
    return pd.read_csv(RESULTS / "morris_default_city" / "points.csv")


def spread_table(points: pd.DataFrame) -> str:
    """Return a Markdown table: each outcome's point means in year 0 and year 19 (the first and
    the last), and how often year 19 is above year 0."""
    lines = [
        "| outcome | year 0, median | year 19, median | year 19, 5-95% of points | "
        "points where year 19 > year 0 |",
        "|---|---|---|---|---|",
    ]
    for variable, (label, _unit) in OUTCOMES.items():
        first, last = points[f"{variable}_year0"], points[f"{variable}_year19"]
        up = float((last > first).mean())
        lines.append(
            f"| {label} | {significant(first.median())} | {significant(last.median())} | "
            f"{significant(last.quantile(0.05))} to {significant(last.quantile(0.95))} | "
            f"{up:.1%} |"
        )
    return "\n".join(lines)


GROUPS = {
    "civic life": ("associations", "communication", "mobilisation", "identity", "network"),
    "housing and moving": ("housing", "migration", "attractiveness", "liveability", "reputation"),
    "population": ("population",),
    "innovation and the call": ("partnerships", "program", "firms", "knowledge"),
}
"""Groups of parameter sections for the cross-effects table (every screened section is in one)."""


def group_of(name: str) -> str:
    """Return the group of a parameter (by its section)."""
    section = name.split(".")[0]
    return next(g for g, sections in GROUPS.items() if section in sections)


def morris_group_table(df: pd.DataFrame) -> str:
    """Return a Markdown table: per outcome and group, the largest relative mu* and its input."""
    rel = df.assign(
        relative=df["mu_star"] / df.groupby("variable")["mu_star"].transform("max"),
        group=df["input"].map(group_of),
    )
    lines = [
        "| outcome | " + " | ".join(GROUPS) + " |",
        "|---|" + "---|" * len(GROUPS),
    ]
    for variable, (label, _unit) in OUTCOMES.items():
        sub = rel[rel["variable"] == variable]
        cells = []
        for group in GROUPS:
            best = sub[sub["group"] == group].sort_values("relative", ascending=False).iloc[0]
            cells.append(f"{best['relative']:.2f} (`{best['input'].split('.', 1)[1]}`)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def generated() -> dict[str, str]:
    """Return the generated blocks of docs/sensitivity.md, by marker name."""
    df = morris_indices()
    return {
        "morris-overall": morris_overall_table(df),
        "morris-outcomes": morris_outcome_tables(df),
        "morris-groups": morris_group_table(df),
        "morris-spread": spread_table(morris_points()),
        "sobol-tables": sobol_tables(sobol_indices()),
    }


def figures() -> dict[Path, str]:
    """Return the generated figures, by path."""
    return {
        FIGURES / "morris_default_city.svg": morris_figure(morris_indices()),
        FIGURES / "sobol_default_city.svg": sobol_figure(sobol_indices()),
    }


def block(text: str, name: str) -> str:
    """Return the text between the markers ``name`` of docs/sensitivity.md."""
    return doc_block(text, name, "docs/sensitivity.md")


@pytest.mark.parametrize(
    "name", ["morris-overall", "morris-outcomes", "morris-groups", "morris-spread", "sobol-tables"]
)
def test_doc_tables_match_the_result_files(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert block(text, name) == generated()[name], (
        f"docs/sensitivity.md's {name} table differs from the committed results; {REGENERATE}"
    )


def test_figures_match_the_result_files() -> None:
    for path, svg in figures().items():
        assert path.exists() and path.read_text(encoding="utf-8") == svg, (
            f"{path.relative_to(ROOT)} differs from the committed results; {REGENERATE}"
        )


def test_the_ten_most_influential_inputs_have_a_source() -> None:
    """Issue 13, point 5: each of the overall ten has a source with its figure or a calibration.

    The sources table (between ``<!-- sources:start -->`` and ``<!-- sources:end -->``) is written
    by hand; this checks it names exactly the ten inputs the committed screen ranks first, each
    with its default, its plausible range and what sets it.
    """
    text = DOC.read_text(encoding="utf-8")
    rows = [r for r in block(text, "sources").splitlines() if r.startswith("| `")]
    named = [re.match(r"\| `([^`]+)`", r).group(1) for r in rows]
    top = list(overall_ranking(morris_indices()).head(TOP).index)
    assert sorted(named) == sorted(top), (
        f"docs/sensitivity.md's sources table names {sorted(named)}; the screen's ten are "
        f"{sorted(top)}"
    )
    declared = {f"{r['section']}.{r['name']}": r for r in param_rows()}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), (
            f"an empty or missing cell in the sources row {row!r}"
        )
        name = cells[0].strip("`")
        decl = declared[name]
        low, high = decl["plausible"]
        expected = f"{decl['default']:g} ({low:g}-{high:g})"
        assert cells[1] == expected, (
            f"{name}: the table says {cells[1]}, the declaration {expected}"
        )


def quoted() -> dict[str, str]:
    """Return the figures the prose of docs/sensitivity.md quotes, computed from the results."""
    df = morris_indices()
    points = morris_points()

    def mu(variable: str, name: str) -> float:
        return float(df[(df["variable"] == variable) & (df["input"] == name)]["mu_star"].iloc[0])

    def up(variable: str) -> str:
        return f"{(points[f'{variable}_year19'] > points[f'{variable}_year0']).mean():.1%}"

    def q(variable: str, level: float) -> float:
        return float(points[f"{variable}_year19"].quantile(level))

    gap = "price_gap_creative_traditional_eur_m2"
    gap_mu = [
        mu(gap, n)
        for n in (
            "housing.beta_demand",
            "attractiveness.b_liveability",
            "liveability.crowding_occupancy",
            "firms.elasticity_attractiveness",
        )
    ]
    displacement = [
        mu("displacement_persons", n)
        for n in (
            "housing.rent_yield_per_year",
            "migration.alpha_burden",
            "migration.burden_cap",
            "population.newcomer_income_median_eur",
        )
    ]
    collapse = df[df["variable"] == "districts_participation_below_half_percent"]
    lead = collapse.sort_values("mu_star", ascending=False).head(5)
    ratio = lead["sigma"] / lead["mu_star"]
    rel = df.assign(relative=df["mu_star"] / df.groupby("variable")["mu_star"].transform("max"))
    rel = rel.assign(group=rel["input"].map(group_of))

    def largest(variable: str, group: str) -> str:
        sub = rel[(rel["variable"] == variable) & (rel["group"] == group)]
        return f"{sub['relative'].max():.2f}"

    return {
        "gap widens": f"widens in {up(gap)} of the points",
        "gini rises": f"price Gini rises in {up('price_gini')}",
        "gini mu": (
            f"mu\\* {mu('price_gini', 'population.income_sigma'):.4f} against "
            f"{mu('price_gini', 'migration.alpha_burden'):.4f}"
        ),
        "gap mu": f"mu\\* {min(gap_mu):.0f}-{max(gap_mu):.0f} EUR/m2",
        "civic on gini": f"price Gini is {largest('price_gini', 'civic life')} of the largest",
        "housing on participation": (
            "any housing parameter on participation "
            f"{largest('participation_rate', 'housing and moving')}"
        ),
        "housing on collapse": (
            "on collapse "
            f"{largest('districts_participation_below_half_percent', 'housing and moving')}"
        ),
        "civic on gap": f"orientation) is {largest(gap, 'civic life')} of its largest",
        "participation spread": (
            f"{q('participation_rate', 0.05):.1%} to {q('participation_rate', 0.95):.0%} of "
            "residents"
        ),
        "participation rises": f"in {up('participation_rate')} of them",
        "collapse p95": (
            f"up to {q('districts_participation_below_half_percent', 0.95):.0f} districts"
        ),
        "collapse sigma": f"sigma {ratio.min():.1f} to {ratio.max():.1f} times mu\\* for its five",
        "displacement mu": (
            f"mu\\* {round(min(displacement), -3):,.0f} to {round(max(displacement), -3):,.0f}"
        ),
        "innovations spread": (
            f"from {q('innovations', 0.05):.0f} to {q('innovations', 0.95):.0f} a year"
        ),
    }


SOBOL_QUOTED = [
    ("price_gini", "population.income_sigma", "S1", "price Gini (S1 {})"),
    ("price_gap_creative_traditional_eur_m2", "population.income_sigma", "S1", "gap (S1 {})"),
    ("price_gini", "migration.alpha_burden", "S1", "the Gini (S1 {})"),
    ("price_gap_creative_traditional_eur_m2", "housing.beta_demand", "S1", "the gap (S1 {})"),
    (
        "price_gap_creative_traditional_eur_m2",
        "partnerships.lambda0_per_year",
        "S1",
        "rate (S1 {})",
    ),
    ("price_gap_creative_traditional_eur_m2", "mobilisation.theta_mean", "S1", "threshold (S1 {})"),
    ("participation_rate", "mobilisation.theta_mean", "S1", "participation (S1 {})"),
    ("participation_rate", "population.engagement_b", "ST", "(ST {})"),
    ("districts_participation_below_half_percent", "mobilisation.theta_mean", "ST", "index ({})"),
    ("districts_participation_below_half_percent", "mobilisation.theta_mean", "S1", "index ({}),"),
    (
        "districts_participation_below_half_percent",
        "population.engagement_b",
        "ST",
        "engagement's ({}",
    ),
    ("districts_participation_below_half_percent", "population.engagement_b", "S1", "against {})"),
    ("displacement_persons", "housing.rent_yield_per_year", "S1", "yield (S1 {})"),
    ("displacement_persons", "migration.alpha_burden", "S1", "weight (S1 {})"),
    ("innovations", "partnerships.lambda0_per_year", "S1", "rate (S1 {})"),
    ("innovations", "mobilisation.theta_mean", "S1", "threshold (S1 {})"),
]
"""Sobol indices the prose quotes: (outcome, input, index, phrase with the value's place)."""


@pytest.mark.parametrize(("variable", "name", "index", "phrase"), SOBOL_QUOTED)
def test_quoted_sobol_indices_match_the_results(variable, name, index, phrase) -> None:
    df = sobol_indices()
    value = float(df[(df["variable"] == variable) & (df["input"] == name)][index].iloc[0])
    expected = phrase.format(f"{value:.3f}")
    assert expected in " ".join(DOC.read_text(encoding="utf-8").split()), (
        f"docs/sensitivity.md should say {expected!r} ({variable}, {name}, {index})"
    )


def test_quoted_sobol_sums_and_noise_match_the_results() -> None:
    df = sobol_indices()
    sums = df.groupby("variable")["S1"].sum()
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    four = ["price_gini", "price_gap_creative_traditional_eur_m2", "participation_rate"]
    four.append("displacement_persons")
    quoted_sums = ", ".join(f"{sums[v]:.2f}" for v in four[:3]) + f" and {sums[four[3]]:.2f}"
    assert f"({quoted_sums})" in text, f"expected the S1 sums ({quoted_sums})"
    assert (
        f"sum to 0.{round(sums['districts_participation_below_half_percent'] * 100):02d} only"
        in (text)
    ), "the collapse outcome's S1 sum"
    noise = df.groupby("variable")["noise_share"].first()
    assert noise.idxmax() == "innovations" and f"at most {noise.max():.1%}" in text


def test_the_sobol_study_time_is_the_benchmarked_one() -> None:
    """The doc's run time of the Sobol study is the estimate benchmark's committed row."""
    rows = pd.read_csv(ROOT / "experiments" / "benchmarks" / "results" / "estimate_benchmark.csv")
    row = rows[rows["experiment"] == "sobol_default_city"].iloc[0]
    phrase = (
        f"{row['measured_wall_s']:,.0f} s measured against {row['estimated_wall_s']:,.0f} s "
        "estimated by `--dry-run`"
    )
    assert phrase in " ".join(DOC.read_text(encoding="utf-8").split()), phrase


@pytest.mark.parametrize("key", list(quoted()))
def test_quoted_figures_match_the_results(key: str) -> None:
    """Each figure the prose quotes is computed from the committed results (line breaks aside)."""
    text = DOC.read_text(encoding="utf-8")
    phrase = quoted()[key]
    assert phrase in " ".join(text.split()), (
        f"docs/sensitivity.md should say {phrase!r} ({key}), as the committed results give"
    )


def regenerate() -> None:
    """Rewrite the generated blocks of docs/sensitivity.md and the figures."""
    rewrite_blocks(DOC, generated())
    FIGURES.mkdir(exist_ok=True)
    for path, svg in figures().items():
        path.write_text(svg, encoding="utf-8")


if __name__ == "__main__":
    regenerate()
    sys.exit(0)
