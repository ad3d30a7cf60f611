"""HTML reports: one self-contained file, plotly.js inline once, no network requests, all charts.

The offline check parses the HTML (``html.parser`` treats script bodies as
text, so URLs inside plotly.js's own code, such as map attributions, are not
attributes) and also greps the page with every script body removed. A real
headless-browser check is separate.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from districtsim.cli import main
from districtsim.compare import compare_scenarios, load_comparison, outcome_unit
from districtsim.report import (
    MAIN_OUTCOMES,
    MAP_OUTCOMES,
    _final_year,
    _map_figure,
    _selector_figure,
    _series,
    fmt_value,
    write_compare_report,
    write_run_report,
)
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

BASE = ["scenario.months=24", "scenario.scale=0.02"]
COMPARE_DIVS = ("fig-trajectories", "fig-differences", "fig-map", "fig-inequality")
RUN_DIVS = ("fig-city", "fig-map", "fig-modes")


class _Tags(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(text: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(text)
    p.close()
    return p.tags


def assert_offline(text: str) -> None:
    """One inline copy of plotly.js, no external scripts, styles, fonts or URLs in src/href."""
    js = get_plotlyjs()
    probe = js[:2000]
    assert text.count(probe) == 1, (
        f"expected plotly.js inline exactly once, found {text.count(probe)} copies"
    )
    parsed = tags(text)
    remote = [
        (t, k, v)
        for t, a in parsed
        for k, v in a.items()
        if k in ("src", "href", "srcset", "data", "action")
        and v
        and re.match(r"\s*(https?:)?//", v)
    ]
    assert not remote, f"expected no remote src/href attributes, found {remote}"
    assert not [a for t, a in parsed if t == "script" and "src" in a], (
        "expected no <script src=...> at all (everything inline)"
    )
    assert not [a for t, a in parsed if t == "link"], (
        "expected no <link> elements (no external CSS or fonts)"
    )
    outside = re.sub(r"<script\b[^>]*>.*?</script>", "", text, flags=re.DOTALL | re.IGNORECASE)
    grep = re.findall(
        r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", outside, flags=re.IGNORECASE
    )
    assert not grep, f"expected no http(s) URLs in src=/href= outside scripts, found {grep}"
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", outside), (
        "expected no remote CSS imports or url()"
    )
    figure_scripts = [
        s
        for s in re.findall(r"<script\b[^>]*>(.*?)</script>", text, flags=re.DOTALL)
        if not s.startswith(probe[:200])
    ]
    assert figure_scripts, "expected the figures' own scripts"
    urls = [
        u
        for s in figure_scripts
        for u in re.findall(r"https?://[^\s\"'<>]+", s)
        if not u.startswith("http://www.w3.org/")
    ]
    assert not urls, f"expected no URLs in the figures' scripts (data and layout), found {urls[:5]}"


def assert_divs(text: str, ids: tuple[str, ...]) -> None:
    found = {a.get("id") for t, a in tags(text) if t == "div"}
    for div in ids:
        assert div in found, (
            f"expected the chart div {div!r} in the report, found {sorted(x for x in found if x)}"
        )
        assert f'Plotly.newPlot(                        "{div}"' in text or re.search(
            rf'Plotly\.newPlot\(\s*"{div}"', text
        ), f"expected a Plotly.newPlot call for {div!r}"


@pytest.fixture(scope="module")
def comparison():
    a = load_scenario("two_districts", BASE)
    b = load_scenario("two_districts", [*BASE, "communication.reach_paper=0.35"])
    return compare_scenarios([a, b], 4, root_seed=11)


@pytest.fixture(scope="module")
def compare_html(comparison, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = write_compare_report(comparison, tmp_path_factory.mktemp("report") / "report.html")
    return path, path.read_text(encoding="utf-8")


def test_compare_report_is_one_offline_file_with_every_chart(compare_html) -> None:
    path, text = compare_html
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"], (
        "expected one file and nothing beside it"
    )
    assert_offline(text)
    assert_divs(text, COMPARE_DIVS)
    for heading in (
        "Summary",
        "Trajectories",
        "Differences over time",
        "Map of effects",
        "Inequality and displacement",
        "Evaluation criteria",
    ):
        assert f"<h2>{heading}" in text, f"expected the section heading {heading!r}"
    for unit in ("EUR/m2", "persons/year"):
        assert unit in text, f"expected the unit {unit!r} in the report"


def test_compare_summary_names_clear_and_noisy_differences(comparison, compare_html) -> None:
    _, text = compare_html
    eff = comparison.effects
    row = eff[
        (eff["arm"] == comparison.arms[1])
        & (eff["scope"] == "city")
        & (eff["outcome"] == "identity")
        & (eff["year"] == 1)
    ].iloc[0]
    assert row["diff_lo"] > 0, (
        "test setup: expected a clear identity effect of the wider-reaching paper"
    )
    clear = re.search(r"Clear differences.*?</ul>", text, flags=re.DOTALL)
    assert clear, "expected a list of clear differences"
    expected = f"city: identity {fmt_value(row['diff_mean'], '0..1', True)}"
    assert expected in clear.group(0), f"expected {expected!r} among the clear differences"
    assert "Within noise" in text, "expected a list of differences within noise"


def test_compare_summary_of_a_scenario_against_itself(tmp_path: Path) -> None:
    a = load_scenario("two_districts", ["scenario.months=12", "scenario.scale=0.02"])
    text = write_compare_report(compare_scenarios([a, a], 2), tmp_path / "r.html").read_text(
        encoding="utf-8"
    )
    assert "No clear difference" in text and "Identical in every replicate" in text, (
        "expected no clear difference and identical outcomes for a scenario against itself"
    )
    assert "Clear differences" not in text, (
        "expected no clear differences for a scenario against itself"
    )


def test_map_colours_are_final_year_paired_differences(comparison) -> None:
    eff = comparison.effects.astype({"scope": str, "district": str, "outcome": str, "arm": str})
    year = _final_year(eff)
    fig = _map_figure(comparison, eff[eff["year"] == year])
    assert len(fig.data) == len(MAP_OUTCOMES), (
        f"expected one map trace per outcome for one compared arm, got {len(fig.data)}"
    )
    trace = fig.data[MAP_OUTCOMES.index("price_eur_m2")]
    want = (
        eff[
            (eff["arm"] == comparison.arms[1])
            & (eff["outcome"] == "price_eur_m2")
            & (eff["year"] == year)
            & (eff["scope"] == "district")
        ]
        .set_index("district")
        .loc[list(trace.text), "diff_mean"]
    )
    assert np.allclose(np.asarray(trace.marker.color, dtype=float), want.to_numpy()), (
        "expected the marker colours to be the final-year paired differences"
    )
    assert list(trace.x) == [d.x_km for d in load_scenario("two_districts").districts], (
        "expected markers at the scenario's x_km"
    )
    assert all("95% CI" in h for h in trace.hovertext), "expected the CI in every hover text"


def test_selector_figures_are_valid_plotly_with_every_place_outcome_and_arm(comparison) -> None:
    eff = comparison.effects.astype({"scope": str, "district": str, "outcome": str, "arm": str})
    series = _series(eff[eff["outcome"].isin(MAIN_OUTCOMES)])
    places = ["City", *comparison.districts["district"]]
    for mode, arms_shown in (("level", 2), ("diff", 1)):
        fig = go.Figure(
            _selector_figure(series, places, comparison.arms, mode)
        )  # validates every trace and the layout
        assert len(fig.data) == len(places) * len(MAIN_OUTCOMES) * arms_shown * 2, (
            f"{mode}: expected a band and a line per place, outcome and arm, got "
            f"{len(fig.data)} traces"
        )
        buttons = fig.layout.updatemenus[0].buttons
        assert [b.label for b in buttons] == places, (
            f"{mode}: expected one menu entry per place, got {[b.label for b in buttons]}"
        )
        for b in buttons:
            assert sum(b.args[0]["visible"]) == len(MAIN_OUTCOMES) * arms_shown * 2, (
                f"{mode}: expected menu entry {b.label} to show one place's traces"
            )
    fig = go.Figure(_selector_figure(series, places, comparison.arms, "diff"))
    line = next(t for t in fig.data if t.visible and t.mode == "lines+markers" and t.xaxis == "x")
    want = eff[
        (eff["scope"] == "city")
        & (eff["outcome"] == MAIN_OUTCOMES[0])
        & (eff["arm"] == comparison.arms[1])
    ].sort_values("year")["diff_mean"]
    assert np.allclose(np.asarray(line.y, dtype=float), want.to_numpy()), (
        "expected the first difference panel to show the city's paired differences"
    )


def test_compare_report_from_files(comparison, tmp_path: Path) -> None:
    from districtsim.compare import write_comparison

    write_comparison(comparison, tmp_path)
    text = write_compare_report(load_comparison(tmp_path), tmp_path / "again.html").read_text(
        encoding="utf-8"
    )
    assert_divs(text, COMPARE_DIVS)


@pytest.fixture(scope="module")
def run_html(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, str]:
    result = run_scenario(load_scenario("two_districts", BASE), seed=2)
    path = write_run_report(result, tmp_path_factory.mktemp("run") / "report.html")
    return result, path.read_text(encoding="utf-8")


def test_run_report_is_offline_with_every_chart_and_table(run_html) -> None:
    result, text = run_html
    assert_offline(text)
    assert_divs(text, RUN_DIVS)
    assert "Program year 1 (model months 12 to 23)" in text, (
        "expected the last program year's criteria table"
    )
    for event in result.events["event"].unique():
        assert f'<td class="name">{event}</td>' in text, (
            f"expected the event type {event!r} in the events summary"
        )
    crit = result.criteria[result.criteria["program_year"] == 1]
    price = fmt_value(float(crit.iloc[0]["housing_value_eur_m2"]), "EUR/m2")
    assert price in text, f"expected the criteria table to show the housing value {price}"
    # docs/outputs.md: "about 5 MB, mostly plotly.js" (plotly.js is the page's one script).
    size = len(text.encode("utf-8"))
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", text, flags=re.S)
    largest = max(len(js.encode("utf-8")) for js in scripts)
    assert 4e6 <= size <= 6e6 and largest > 0.8 * size, (size, largest)


def test_run_report_names_the_runs_interventions(tmp_path: Path) -> None:
    """A planner's single-run report says which interventions ran, when (it said nothing)."""
    (tmp_path / "cap.toml").write_text(
        '[scenario]\nbase = "two_districts"\n[[interventions]]\ntype = "rent_cap"\n'
        'select = "all"\nstart_year = 1\nend_year = 3\n',
        encoding="utf-8",
    )
    scen = load_scenario(str(tmp_path / "cap.toml"), ["scenario.months=48", *BASE[1:]])
    text = write_run_report(run_scenario(scen, seed=1), tmp_path / "r.html").read_text(
        encoding="utf-8"
    )
    assert "Interventions: rent_cap in every district, months 12 to 35 (from year 1)" in text
    plain = run_scenario(load_scenario("two_districts", BASE), seed=1)
    assert "Interventions: none." in write_run_report(plain, tmp_path / "p.html").read_text(
        encoding="utf-8"
    )


def test_cli_run_writes_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(
        ["run", "two_districts", "--months", "3", "--scale", "0.01", "--quiet", "--out", str(out)]
    )
    stdout, err = capsys.readouterr()
    assert code == 0, f"expected exit 0, got {code}; {err}"
    assert str(out / "report.html") in stdout, "expected report.html among the written files"
    text = (out / "report.html").read_text(encoding="utf-8")
    assert_offline(text)
    assert "No complete program year" in text, (
        "expected the report of a 3-month run to say there is no criteria table yet"
    )


def test_values_are_formatted_in_real_units() -> None:
    assert fmt_value(35.24, "EUR/m2", True) == "+35.2 EUR/m2"
    assert fmt_value(-1234.4, "persons/year", True) == "-1,234 persons/year"
    assert fmt_value(0.0123, "share", True) == "+1.23 percentage points"
    assert fmt_value(-0.0000004, "EUR/m2", True) == "0 EUR/m2"
    assert fmt_value(math.nan, "EUR/m2") == "n/a"


def test_clear_differences_are_coloured_by_what_they_mean_for_residents() -> None:
    """A harm is never green: displacement up is bad, identity up good, a price rise neither."""
    from districtsim.report import _sort_differences

    rows = pd.DataFrame(
        [
            ("district", "Vironniemi", "displacement_persons", 158.0, 90.0, 226.0, 1e-4, "lower"),
            ("city", "", "identity", 0.01, 0.005, 0.015, 1e-3, "higher"),
            ("district", "Kallio", "price_eur_m2", 100.0, 50.0, 150.0, 1e-3, "neither"),
            ("district", "Vallila", "identity", -0.01, -0.019, -0.001, 0.3, "higher"),
            ("district", "Pasila", "identity", 0.001, -0.01, 0.012, 0.9, "higher"),
        ],
        columns=[
            "scope",
            "district",
            "outcome",
            "diff_mean",
            "diff_lo",
            "diff_hi",
            "q_value",
            "direction",
        ],
    ).assign(unit=lambda d: d["outcome"].map(outcome_unit))
    found = _sort_differences(rows)
    assert [cls for cls, _ in found["clear"]] == ["bad", "good", "neutral"], found["clear"]
    assert len(found["nominal"]) == 1 and "Vallila" in found["nominal"][0][1], (
        "expected an interval excluding 0 that fails the adjustment to be listed apart"
    )
    assert len(found["noise"]) == 1 and "Pasila" in found["noise"][0][1]


def test_the_compare_header_names_scale_and_what_each_arm_changes(tmp_path: Path) -> None:
    """A planner sees the scale (with a warning below 0.1) and each arm's interventions."""
    base = load_scenario("two_districts", ["scenario.months=12", "scenario.scale=0.02"])
    (tmp_path / "cap.toml").write_text(
        '[scenario]\nbase = "two_districts"\nname = "cap"\n'
        '[[interventions]]\ntype = "rent_cap"\ndistricts = ["Traditional"]\nstart_month = 0\n'
        "[mobilisation]\ntau = 0.07\n",
        encoding="utf-8",
    )
    arm = load_scenario(str(tmp_path / "cap.toml"), ["scenario.months=12", "scenario.scale=0.02"])
    text = write_compare_report(compare_scenarios([base, arm], 2), tmp_path / "r.html").read_text(
        encoding="utf-8"
    )
    assert "scale 0.02" in text and 'class="warning"' in text, "expected the scale and a warning"
    assert "rent_cap in Traditional, months 0 to 11 (from year 0)" in text
    assert "mobilisation.tau = 0.07 (reference" in text


def test_the_summary_opens_with_the_question_in_the_targeted_districts(tmp_path: Path) -> None:
    """A rent cap in one district: its focus outcomes there and in the city come first."""
    from districtsim.compare import comparison_focus

    base = load_scenario("two_districts", ["scenario.months=12", "scenario.scale=0.02"])
    (tmp_path / "cap.toml").write_text(
        '[scenario]\nbase = "two_districts"\nname = "cap"\n'
        'question = "Does a rent cap keep residents in Traditional?"\n'
        '[[interventions]]\ntype = "rent_cap"\ndistricts = ["Traditional"]\nstart_month = 0\n',
        encoding="utf-8",
    )
    arm = load_scenario(str(tmp_path / "cap.toml"), ["scenario.months=12", "scenario.scale=0.02"])
    focus = comparison_focus([base, arm])
    assert focus["districts"] == ["Traditional"] and focus["targeted"] == ["Traditional"]
    assert focus["outcomes"] == ["displacement_persons", "price_eur_m2", "population"]
    comparison = compare_scenarios([base, arm], 2)
    text = write_compare_report(comparison, tmp_path / "r.html").read_text(encoding="utf-8")
    summary = text[text.index("<h2>Summary</h2>") :]
    question = summary.index("Does a rent cap keep residents in Traditional?")
    assert question < summary.index("Everything else"), "expected the question first"
    block = summary[question : summary.index("Everything else")]
    assert "In Traditional, displacement" in block and "In the city as a whole" in block
    assert "In Creative" not in block, "expected only the targeted district and the city"


def test_focus_keys_are_checked(tmp_path: Path) -> None:
    from districtsim.errors import ScenarioError

    (tmp_path / "s.toml").write_text(
        '[scenario]\nbase = "two_districts"\nfocus_outcomes = ["displacment_persons"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tmp_path / "s.toml"))
    assert info.value.key == "scenario.focus_outcomes"
    assert "did you mean 'displacement_persons'?" in info.value.expected
    (tmp_path / "s.toml").write_text(
        '[scenario]\nbase = "two_districts"\nfocus_outcomes = ["identity"]\n'
        'focus_districts = ["Creative"]\nquestion = "Q?"\n',
        encoding="utf-8",
    )
    scen = load_scenario(str(tmp_path / "s.toml"))
    assert (scen.question, scen.focus_outcomes, scen.focus_districts) == (
        "Q?",
        ("identity",),
        ("Creative",),
    )
