"""Communication (MODEL 5.1): channel coverage, events, ties and outside visibility."""

import dataclasses

import numpy as np
import pytest

from districtsim import communication
from districtsim.communication import combine, district_reach, resident_reach_probability
from districtsim.model import DistrictModel
from districtsim.params import CHANNELS, Communication
from helpers import small_scenario


def test_combine_is_one_minus_product_of_misses():
    got = combine(np.array([0.3, 0.5]))
    assert got == pytest.approx(1 - 0.7 * 0.5), "expected 1 - (1-0.3)(1-0.5) = 0.65"


def test_combine_of_nothing_reaches_nobody():
    assert combine(np.array([])) == pytest.approx(0.0), "expected no sources to give reach 0"
    assert combine(np.zeros(4)) == pytest.approx(0.0), "expected sources of reach 0 to give reach 0"


def test_combine_with_a_certain_source_is_one():
    assert combine(np.array([0.2, 1.0, 0.4])) == pytest.approx(1.0), (
        "expected a source of reach 1 to reach everybody"
    )


def test_combine_along_an_axis():
    p = np.array([[0.1, 0.2], [0.5, 0.5]])
    np.testing.assert_allclose(
        combine(p, axis=1), [1 - 0.9 * 0.8, 0.75], err_msg="expected one combined reach per row"
    )
    np.testing.assert_allclose(
        combine(p, axis=0),
        [1 - 0.9 * 0.5, 1 - 0.8 * 0.5],
        err_msg="expected one combined reach per column",
    )


def _channel_reach(c: Communication) -> dict[str, tuple[float, float]]:
    return {k: (getattr(c, f"reach_{k}"), getattr(c, f"outside_{k}")) for k in CHANNELS}


def test_district_reach_hand_case_with_defaults():
    c = Communication()
    r = _channel_reach(c)
    paper = CHANNELS.index("paper")
    active = np.zeros((4, len(CHANNELS)), dtype=bool)
    active[0, :] = True  # every channel
    active[1, paper] = True  # the paper only
    active[3, paper] = True  # the paper only, no event
    event = np.array([True, True, True, False])
    creative = np.array([True, False, True, True])
    coverage, reach, visibility = district_reach(active, c, event, creative)

    cov_all = 1 - np.prod([1 - r[k][0] for k in CHANNELS])
    vis_all = 1 - np.prod([1 - r[k][1] for k in CHANNELS])
    np.testing.assert_allclose(
        coverage,
        [cov_all, c.reach_paper, 0.0, c.reach_paper],
        err_msg="expected coverage 1 - prod(1 - r_c) over active channels",
    )
    np.testing.assert_allclose(
        visibility,
        [vis_all, c.outside_paper, 0.0, c.outside_paper],
        err_msg="expected outside visibility E_d = 1 - prod(1 - e_c) over active channels",
    )
    # The background reach (city-wide media) is one more independent source in every district.
    quiet = 1 - c.reach_background
    expected_reach = [
        1 - (1 - cov_all) * (1 - c.event_reach_creative) * quiet,
        1 - (1 - c.reach_paper) * (1 - c.event_reach_traditional) * quiet,
        1 - (1 - c.event_reach_creative) * quiet,
        1 - (1 - c.reach_paper) * quiet,
    ]
    np.testing.assert_allclose(
        reach,
        expected_reach,
        err_msg=(
            "expected an event to add the creative or traditional event reach, and nothing "
            "without an event"
        ),
    )


def test_default_channel_values_in_hand_case():
    # The same hand case written with the numbers, so a silent change of defaults is noticed.
    c = Communication()
    active = np.ones((1, len(CHANNELS)), dtype=bool)
    coverage, reach, visibility = district_reach(active, c, np.array([True]), np.array([False]))
    assert coverage[0] == pytest.approx(1 - 0.70 * 0.94 * 0.85 * 0.97), (
        "expected coverage 0.4575 from paper 0.30, website 0.06, social media 0.15, forum 0.03"
    )
    assert visibility[0] == pytest.approx(1 - 0.99 * 0.90 * 0.92 * 0.97), (
        "expected visibility from outside reaches 0.01, 0.10, 0.08, 0.03"
    )
    assert reach[0] == pytest.approx(1 - 0.70 * 0.94 * 0.85 * 0.97 * 0.96 * 0.925), (
        "expected a traditional event to add reach 0.04 and the background reach 0.075"
    )


def test_creative_event_reaches_more_than_traditional():
    c = Communication()
    active = np.zeros((2, len(CHANNELS)), dtype=bool)
    _, reach, _ = district_reach(active, c, np.array([True, True]), np.array([True, False]))
    assert reach[0] > reach[1], (
        "expected a creative event to reach more residents than a traditional one"
    )


def test_resident_reach_probability_closed_form():
    q = 0.1
    reach_d = np.array([0.2, 0.2, 0.5, 0.0, 0.0], dtype=np.float32)
    n_ties = np.array([0, 3, 2, 0, 5], dtype=np.float32)
    got = resident_reach_probability(reach_d, n_ties, q)
    expected = 1 - (1 - reach_d.astype(float)) * (1 - q) ** n_ties.astype(float)
    np.testing.assert_allclose(
        got,
        expected,
        rtol=1e-6,
        atol=1e-7,
        err_msg="expected 1 - (1 - r_d) (1 - q_tie)^n_active_ties",
    )


def test_resident_reach_rises_with_active_ties():
    got = resident_reach_probability(np.full(4, 0.1), np.arange(4.0), 0.2)
    assert np.all(np.diff(got) > 0), (
        "expected each extra active tie to raise the chance of being reached"
    )


def test_background_reach_combines_with_channels_and_events() -> None:
    c = dataclasses.replace(Communication(), reach_background=0.08)
    paper = CHANNELS.index("paper")
    active = np.zeros((3, len(CHANNELS)), dtype=bool)
    active[1, paper] = True
    event = np.array([False, False, True])
    creative = np.zeros(3, dtype=bool)
    coverage, reach, _ = district_reach(active, c, event, creative)
    np.testing.assert_allclose(coverage, [0.0, c.reach_paper, 0.0])
    np.testing.assert_allclose(
        reach,
        [0.08, 1 - (1 - c.reach_paper) * 0.92, 1 - (1 - c.event_reach_traditional) * 0.92],
        err_msg="expected the background reach to combine as one more independent source",
    )


def test_background_reach_reaches_residents_of_a_silent_district() -> None:
    """With no channel, no event and nobody active, only the background reaches: at its rate."""
    scen = small_scenario(2, "communication.reach_background=0.2", scale=0.1)
    model = DistrictModel(scen, seed=3)
    for x in model.all_associations:
        x.channels = dict.fromkeys(x.channels, False)
        x.wanted = dict.fromkeys(x.wanted, False)
        x.event_next_month = False
    model.residents.is_active[:] = False
    communication.step(model, 0)
    r = model.residents
    share = r.is_reached[r.occupied].mean()
    n = int(r.occupied.sum())
    half = 3 * np.sqrt(0.2 * 0.8 / n)
    assert abs(share - 0.2) < half, f"expected about 20% of {n} residents reached, got {share:.3f}"
