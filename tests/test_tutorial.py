"""The tutorial (docs/tutorial.md) runs, and what it tells the student holds.

Every ```python block of the tutorial is executed, in order, in one shared
namespace (as a student pasting them into one session would), in a
temporary working directory. The tests then check the claims the
tutorial's prose makes against the variables the blocks produced, with a
margin: the numbers are quoted loosely in the text because they depend on
the seeds and the small scale the blocks use.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from districtsim.dashboard import views
from districtsim.dashboard.model import DashboardModel

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", flags=re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[str]:
    """Return the code of the ```python fenced blocks of a Markdown text, in order."""
    return [m.group(1) for m in FENCE.finditer(text)]


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run every python block of the tutorial in one namespace; return the namespace.

    The working directory is a temporary folder.
    """
    blocks = python_blocks(TUTORIAL.read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {"__name__": "tutorial"}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("tutorial"))
        for number, code in enumerate(blocks, start=1):
            try:
                exec(compile(code, f"docs/tutorial.md, python block {number}", "exec"), namespace)
            except Exception:
                pytest.fail(
                    f"docs/tutorial.md: python block {number} of {len(blocks)} "
                    f"raised:\n{traceback.format_exc()}\nThe block:\n{code}"
                )
    return namespace


def test_tutorial_has_python_blocks_and_starts_the_dashboard():
    text = TUTORIAL.read_text(encoding="utf-8")
    assert len(python_blocks(text)) >= 3
    assert "districtsim dashboard" in text
    # The server is started in a bash block, which is not executed.
    assert not any("districtsim dashboard" in block for block in python_blocks(text))


def _github_anchor(heading: str) -> str:
    """Return the anchor GitHub gives a Markdown heading.

    Lower case, punctuation dropped, spaces to hyphens.
    """
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_tutorial_links_point_to_existing_files_and_headings():
    text = TUTORIAL.read_text(encoding="utf-8")
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        file = (TUTORIAL.parent / path).resolve() if path else TUTORIAL
        if not file.exists():
            problems.append(f"{target}: no file {file}")
            continue
        if anchor:
            headings = re.findall(
                r"^#+ (.+)$", file.read_text(encoding="utf-8"), flags=re.MULTILINE
            )
            if anchor not in {_github_anchor(h) for h in headings}:
                problems.append(f"{target}: no heading with anchor #{anchor} in {file.name}")
    assert not problems, "docs/tutorial.md has broken links:\n" + "\n".join(problems)


def test_tutorial_blocks_run(tutorial):
    for name in (
        "dash",
        "baseline",
        "omega_table",
        "by_district",
        "newcomer_table",
        "coaching_table",
        "inside_table",
    ):
        assert name in tutorial, (
            f"the tutorial's blocks no longer define {name!r}, which its text and this test use"
        )


@pytest.fixture(scope="module")
def default_dashboard() -> tuple[Any, list[int]]:
    """The dashboard's model with the scenario's settings, played 240 months (section 2, step 3).

    With the districts that were traditional in month 0.
    """
    dash = DashboardModel("helsinki")
    traditional = [d for d, mode in enumerate(dash.districts.mode) if mode == "traditional"]
    for _ in range(240):
        dash.step()
    return dash, traditional


def test_default_dashboard_run_turns_no_traditional_district_and_civic_life_goes_on(
    default_dashboard,
):
    # Section 2, step 3: creative districts become innovation platforms, no traditional district
    # turns creative, the traditional leads end between about 0.27 and 0.45; every district but
    # Reijola and Östersundom still runs a channel and about 5% of the city take part. Section 5:
    # two traditional districts without a channel at scale 0.1. Section 4: in Reijola a tenth to a
    # quarter of a percent take part.
    dash, traditional = default_dashboard
    assert dash.scale == 0.1 and dash.month == 240
    details = [e["detail"] for e in dash.event_log if e["event"] == "mode_transition"]
    assert not any(d.startswith("traditional->creative") for d in details), details
    assert any(d.startswith("creative->innovation_platform") for d in details), details
    assert len(traditional) == 23
    leads = views.current_values(dash, "association_orientation")[traditional]
    assert 0.25 < leads.min() < 0.3 and 0.43 < leads.max() < 0.47, np.sort(leads)
    channels = views.current_values(dash, "n_channels")
    without = sorted(dash.names[d] for d in np.flatnonzero(channels == 0))
    assert without == ["Reijola", "Östersundom"], without
    assert all(dash.districts.mode[dash.names.index(n)] == "traditional" for n in without)
    history = dash.recorder.data["participation_rate"][: dash.recorder.n_recorded]
    population = dash.recorder.data["population"][: dash.recorder.n_recorded]
    city = (history[-12:] * population[-12:]).sum() / population[-12:].sum()
    assert 0.045 <= city <= 0.055, city
    reijola = history[-12:, dash.names.index("Reijola")].mean()
    assert 0.001 <= reijola <= 0.0025, reijola


def test_default_drift_turns_no_traditional_district_and_civic_life_goes_on(tutorial):
    # Section 3.1: "no traditional district turns creative in 20 years"; highest lead at the end
    # about 0.4-0.45; one to two percent take part in the last year; most keep a channel, five to
    # nine of the 23 have none; the districts closest to the cut had active members in more than
    # two fifths of the months.
    omega = tutorial["omega_table"]
    n_traditional = len(tutorial["traditional"])
    assert n_traditional == 23
    assert omega.loc[0.1, "turned"] == 0, omega
    for table in tutorial["baseline"].values():
        assert table["first_creative_month"].isna().all()
        assert 0.38 < table["orientation_at_end"].max() < 0.46, table
        assert 0.01 <= table["participation_last_year"].mean() <= 0.02, table
        without = (table["channels_at_end"] == 0).sum()
        assert 5 <= without <= 9, table
    closest = tutorial["baseline"][1].sort_values("orientation_at_end", ascending=False).head(8)
    assert (closest["months_with_active_members"] > 0.4).all(), closest


def test_faster_drift_turns_more_districts_sooner_and_they_flicker(tutorial):
    # Section 3.3: "Faster drift turns more districts, and sooner": none at the default, about two
    # per run at 0.3, four to nine (about six on average) at 0.5; the first crossing of a run at
    # 0.5 after roughly 5 to 12 years, the average first crossing after about 14 years; about
    # three in five of those that crossed still creative at the end.
    omega = tutorial["omega_table"]
    assert omega.loc[0.3, "turned"] >= omega.loc[0.1, "turned"] + 1, omega
    assert omega.loc[0.5, "turned"] >= omega.loc[0.1, "turned"] + 2, omega
    assert omega.loc[0.5, "turned"] >= omega.loc[0.3, "turned"], omega
    assert omega.loc[0.5, "first_month"] < omega.loc[0.3, "first_month"], omega
    assert 1.5 <= omega.loc[0.3, "turned"] <= 3, "about two per run at 0.3"
    at_half = pd.DataFrame([tutorial["summary"](t) for t in tutorial["omega_runs"][0.5].values()])
    assert at_half["turned"].between(4, 9).all(), at_half
    assert 5.5 <= at_half["turned"].mean() <= 7, "about six per run on average at 0.5"
    assert at_half["first_month"].between(4 * 12 + 6, 12 * 12 + 6).all(), (
        "the first crossing in a run after roughly 5 to 12 years"
    )
    assert 13 * 12 <= omega.loc[0.5, "mean_month"] <= 15 * 12, (
        "the average district's first crossing after about 14 years"
    )
    assert (
        0.5 * omega.loc[0.5, "turned"]
        <= omega.loc[0.5, "creative_at_end"]
        <= 0.7 * omega.loc[0.5, "turned"]
    ), "about three in five of the districts that crossed still creative at the end"


def test_dashboard_run_with_faster_drift_shows_transitions(tutorial):
    # Section 2, step 4: with the slider at 0.5 six traditional districts cross the cut, Taka-Töölö
    # first in year 6, Ullanlinna and Jakomäki in years 10 and 11, three more in the last four
    # years; four of the six creative at the end; Ullanlinna crosses ten times and ends
    # traditional; creative leads fall from 0.75 to between 0.5 and 0.6.
    dash = tutorial["dash"]
    assert dash.params.associations.omega_per_year == 0.5
    assert dash.month == 240
    turned = tutorial["turned_in_dashboard"]
    assert len(turned) == 6, turned
    creative_at_end = [
        n for n in turned if dash.districts.mode[dash.names.index(n)] != "traditional"
    ]
    assert len(creative_at_end) == 4, creative_at_end
    crossings = [
        e
        for e in dash.event_log
        if e["event"] == "mode_transition"
        and e["district"] in tutorial["traditional"]
        and e["detail"].split("->")[1] in ("creative", "traditional")
    ]
    first: dict[str, int] = {}
    for e in crossings:
        if e["detail"].startswith("traditional->creative"):
            first.setdefault(e["district"], e["month"])
    order = sorted(first, key=first.get)
    year = {name: first[name] // 12 + 1 for name in order}
    assert order[0] == "Taka-Töölö" and year["Taka-Töölö"] == 6, year
    assert set(order[1:3]) == {"Ullanlinna", "Jakomäki"}, year
    assert [year[n] for n in order[1:3]] == [10, 11], year
    assert all(year[n] >= 17 for n in order[3:]), year
    assert sum(e["district"] == "Ullanlinna" for e in crossings) == 10
    assert dash.districts.mode[dash.names.index("Ullanlinna")] == "traditional"
    creative_leads = tutorial["creative_leads"]
    assert 0.5 < min(creative_leads) and max(creative_leads) < 0.6, creative_leads


def test_participation_curves_at_the_end_of_the_faster_drift(tutorial):
    # Section 2, step 5 and the text after the second block: without an event every curve crosses
    # at two percent or less and starts above zero; with one, Kallio's at 13-14%, Oulunkylä's and
    # Munkkiniemi's at about 7%, Jakomäki's and Reijola's at one or two percent; Reijola: a fifth
    # of a percent take part. Munkkiniemi first crossed in year 17, is creative at the end, its
    # participation rose from under 1% (first ten years) to 2-3% (last year), still below
    # Oulunkylä's, which never crossed. Jakomäki crossed in year 11, its only channel lapsed in year
    # 12, participation fell from 2-3% to a fifth of a percent, its lead stayed within a few
    # hundredths of the cut and ends at 0.50, creative.
    dash, shares = tutorial["dash"], tutorial["shares"]
    settles_near = tutorial["settles_near"]
    names = ["Kallio", "Oulunkylä", "Munkkiniemi", "Jakomäki", "Reijola"]
    quiet, festive, starts = {}, {}, {}
    for name in names:
        d = dash.names.index(name)
        curve = views.participation_curve(dash, d, shares, event=False)
        quiet[name], starts[name] = settles_near(curve), curve[0]
        festive[name] = settles_near(views.participation_curve(dash, d, shares, event=True))
    assert all(v <= 0.02 for v in quiet.values()), quiet
    assert all(s > 0 for s in starts.values()), "the curves start above zero (none falls silent)"
    assert 0.13 <= festive["Kallio"] <= 0.14, festive
    assert 0.065 <= festive["Oulunkylä"] <= 0.08, festive
    assert 0.065 <= festive["Munkkiniemi"] <= 0.08, festive
    assert festive["Kallio"] - festive["Munkkiniemi"] > 0.05, festive
    assert 0.01 <= festive["Jakomäki"] <= 0.02, festive
    assert 0.01 <= festive["Reijola"] <= 0.02, festive

    first_decade, last_year = tutorial["first_decade"], tutorial["last_year"]
    d = {name: dash.names.index(name) for name in names}
    assert 0.0015 <= last_year[d["Reijola"]] <= 0.003, last_year[d["Reijola"]]
    assert dash.districts.mode[d["Kallio"]] == "creative"
    assert dash.districts.mode[d["Oulunkylä"]] == "traditional"
    assert "Oulunkylä" not in tutorial["turned_in_dashboard"]

    def first_crossing(name):
        return min(
            e["month"]
            for e in dash.event_log
            if e["district"] == name and e["detail"].startswith("traditional->creative")
        )

    assert dash.districts.mode[d["Munkkiniemi"]] == "creative"
    assert first_crossing("Munkkiniemi") // 12 + 1 == 17
    assert first_decade[d["Munkkiniemi"]] < 0.01, first_decade[d["Munkkiniemi"]]
    assert 0.02 <= last_year[d["Munkkiniemi"]] <= 0.03, last_year[d["Munkkiniemi"]]
    assert last_year[d["Munkkiniemi"]] < last_year[d["Oulunkylä"]]

    jakomaki = d["Jakomäki"]
    assert dash.districts.mode[jakomaki] == "creative"
    assert first_crossing("Jakomäki") // 12 + 1 == 11
    n = dash.recorder.n_recorded
    channels = dash.recorder.data["n_channels"][:n, jakomaki]
    lapsed = int(np.flatnonzero(channels == 0)[0])
    assert channels[:lapsed].min() == channels[:lapsed].max() == 1, "its only channel"
    assert lapsed // 12 + 1 == 12 and (channels[lapsed:] == 0).all(), lapsed
    assert 0.02 <= first_decade[jakomaki] <= 0.03, first_decade[jakomaki]
    assert 0.0015 <= last_year[jakomaki] <= 0.003, last_year[jakomaki]
    lead = dash.recorder.data["association_orientation"][:n, jakomaki]
    assert np.abs(lead[lapsed:] - 0.5).max() < 0.05, lead[lapsed:]
    assert round(float(lead[-1]), 2) == 0.5, lead[-1]


def test_districts_that_turn_are_those_with_active_members(tutorial):
    # Section 3.3: districts that turn had active members in about half of the months on average,
    # the others in about one month in nine; the quietest, Reijola, Länsi-Pakila, Kulosaari and
    # Östersundom, in fewer than one month in twenty, and they never turned.
    assert 0.4 <= tutorial["active_turned"] <= 0.6
    assert 0.09 <= tutorial["active_never"] <= 0.14
    by_district = tutorial["by_district"]
    quietest = by_district["months_with_active_members"].nsmallest(4)
    assert sorted(quietest.index) == sorted(["Reijola", "Länsi-Pakila", "Kulosaari", "Östersundom"])
    assert (quietest < 1 / 20).all(), quietest
    assert (by_district.loc[quietest.index, "runs_turned"] == 0).all(), by_district


def test_leads_lag_behind_active_members_who_lag_behind_residents(tutorial):
    # Section 3.2: residents from about 0.44 (year 5) to 0.50 (year 20), active members from about
    # 0.39 to 0.45 (below the cut), leads from about 0.27 to 0.32, 600 to 700 active members a
    # month (about 13 simulated ones); most districts have none in most months.
    inside = tutorial["inside_table"]
    assert inside["residents"].iloc[0] == pytest.approx(0.44, abs=0.01), inside
    assert inside["residents"].iloc[-1] == pytest.approx(0.50, abs=0.01), inside
    assert inside["active_members"].iloc[0] == pytest.approx(0.39, abs=0.01), inside
    assert inside["active_members"].iloc[-1] == pytest.approx(0.45, abs=0.01), inside
    assert (inside["active_members"] < 0.5).all(), inside
    assert inside["lead"].iloc[0] == pytest.approx(0.27, abs=0.01), inside
    assert inside["lead"].iloc[-1] == pytest.approx(0.32, abs=0.01), inside
    assert inside["active_members_per_month"].between(580, 720).all(), inside
    assert 12 <= inside["active_members_per_month"].mean() * 0.02 <= 14, inside
    assert (inside["lead"] < inside["active_members"]).all(), inside
    assert (inside["active_members"] < inside["residents"]).all(), inside
    assert inside["residents"].iloc[-1] > inside["residents"].iloc[0], inside
    assert (inside["lead"] < 0.5).all(), inside
    assert tutorial["rarely_active"] > len(tutorial["traditional"]) / 2


def test_newcomers_matter_less_than_faster_drift(tutorial):
    # Section 3.4: no district crosses the cut; the highest lead at the end only a few hundredths
    # higher than with the default newcomers.
    newcomers = tutorial["newcomer_table"]
    assert newcomers.loc[0.8, "turned"] == 0, newcomers
    assert newcomers.loc[0.8, "turned"] <= tutorial["omega_table"].loc[0.5, "turned"] - 2
    higher = newcomers.loc[0.8, "highest_orientation"] - newcomers.loc[0.55, "highest_orientation"]
    assert 0.01 <= higher <= 0.09, newcomers


def test_coaching_turns_every_traditional_district_in_about_five_years_and_they_stay(tutorial):
    # Section 3.5: every traditional district turns, about five years in (coaching alone: 60
    # months), the drift speeding some up and holding others back by less than a year; all stay
    # creative; participation more than doubles.
    coaching = tutorial["coaching_table"]
    coached = tutorial["coached"]
    n_traditional = len(tutorial["traditional"])
    assert coaching.loc["coaching", "turned"] == n_traditional, coaching
    assert coached["first_creative_month"].between(60 - 11, 60 + 11).all(), coached[
        "first_creative_month"
    ].describe()
    assert (coached["mode_at_end"] != "traditional").all()
    assert (
        coaching.loc["coaching", "participation"] > 2 * coaching.loc["baseline", "participation"]
    ), coaching
