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
import pytest

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


def test_default_drift_turns_no_traditional_district_and_many_lose_their_channels(tutorial):
    # Section 3.1: "no traditional district turns creative in 20 years"; "most traditional districts
    # have lost all their channels".
    omega = tutorial["omega_table"]
    n_traditional = len(tutorial["traditional"])
    assert n_traditional == 23
    assert omega.loc[0.1, "turned"] <= 0.5, omega
    assert omega.loc[0.1, "highest_orientation"] < 0.5, omega
    assert omega.loc[0.1, "without_channels"] > n_traditional / 2, omega


def test_faster_drift_turns_more_districts_sooner_and_they_flicker(tutorial):
    # Section 3.3: "Faster drift turns more districts, and sooner"; "only about half ... still
    # creative at the end".
    omega = tutorial["omega_table"]
    assert omega.loc[0.3, "turned"] >= omega.loc[0.1, "turned"] + 1, omega
    assert omega.loc[0.5, "turned"] >= omega.loc[0.1, "turned"] + 2, omega
    assert omega.loc[0.5, "turned"] >= omega.loc[0.3, "turned"], omega
    assert omega.loc[0.5, "first_month"] < omega.loc[0.3, "first_month"], omega
    assert omega.loc[0.5, "mean_month"] > 60, (
        "the tutorial says a transition takes years (about 12 on average)"
    )
    assert omega.loc[0.5, "creative_at_end"] <= 0.75 * omega.loc[0.5, "turned"], omega


def test_dashboard_run_with_faster_drift_shows_transitions(tutorial):
    # Section 2, step 4: with the slider at 0.5 a few traditional districts cross the cut; creative
    # leads fall toward the cut.
    dash = tutorial["dash"]
    assert dash.params.associations.omega_per_year == 0.5
    assert dash.month == 240
    assert len(tutorial["turned_in_dashboard"]) >= 1
    assert np.mean(tutorial["creative_leads"]) < 0.65, (
        "the creative districts' leads start at 0.75 and fall toward the cut"
    )
    # Reijola, the example of a district whose channels lapsed: no participation at all at the end.
    reijola = dash.names.index("Reijola")
    assert tutorial["now"][reijola] == 0.0
    assert tutorial["now"][dash.names.index("Kallio")] > 0.1


def test_districts_that_turn_are_those_with_active_members(tutorial):
    # Section 3.3: districts that turn had active members in about half of the months or more, the
    # others rarely.
    assert tutorial["active_turned"] >= 0.4
    assert tutorial["active_turned"] > tutorial["active_never"] + 0.2


def test_leads_lag_behind_active_members_who_lag_behind_residents(tutorial):
    # Section 3.2.
    inside = tutorial["inside_table"]
    assert (inside["lead"] < inside["active_members"]).all(), inside
    assert (inside["active_members"] < inside["residents"]).all(), inside
    assert inside["residents"].iloc[-1] > inside["residents"].iloc[0], inside
    assert (inside["lead"] < 0.5).all(), inside
    assert tutorial["rarely_active"] > len(tutorial["traditional"]) / 2


def test_newcomers_matter_less_than_faster_drift(tutorial):
    # Section 3.4: "about one district per run or fewer crosses the cut, and only late in the run".
    newcomers = tutorial["newcomer_table"]
    assert newcomers.loc[0.8, "turned"] <= 1.5, newcomers
    assert newcomers.loc[0.8, "turned"] <= tutorial["omega_table"].loc[0.5, "turned"] - 2
    first = newcomers.loc[0.8, "first_month"]
    assert np.isnan(first) or first >= 150, newcomers


def test_coaching_turns_every_traditional_district_in_about_five_years_and_they_stay(tutorial):
    # Section 3.5.
    coaching = tutorial["coaching_table"]
    coached = tutorial["coached"]
    n_traditional = len(tutorial["traditional"])
    assert coaching.loc["coaching", "turned"] == n_traditional, coaching
    assert coached["first_creative_month"].between(36, 96).all(), coached[
        "first_creative_month"
    ].describe()
    assert (coached["mode_at_end"] != "traditional").all()
    assert (
        coaching.loc["coaching", "participation"] > 2 * coaching.loc["baseline", "participation"]
    ), coaching
