"""Initialisation (ODD section 5): the initial civic state is the rules' own equilibrium."""

import numpy as np

from districtsim.model import DistrictModel
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

SEEDS = (1, 2, 3)


def test_initial_participation_is_near_the_simulated_second_year() -> None:
    """The mean-field fixed point of ``initial_participation`` against the simulation.

    Default city, scale 0.1, simulated participation in months 12-23 (mean over seeds 1-3).
    Districts with a meeting place (where events need one, the fixed point's events match the
    simulation's): measured |log(simulated / fixed point)| median 0.12, at most 0.23; all 34
    districts: correlation 0.85 (issue 12's third session; at its second 0.11, 0.32 and 0.86,
    at its first 0.10, 0.48 and 0.86).
    Not asserted: creative districts without a meeting place start too high (fixed point 7-9%,
    simulated 3-4%), because the
    expected events of section 5 let a festival-only association hold events in every month
    (ODD section 5, a known limit).
    """
    scenario = load_scenario("helsinki", ["scenario.scale=0.1", "scenario.months=24"])
    names = [d.name for d in scenario.districts]
    fixed_point = DistrictModel(scenario, seed=SEEDS[0]).participation0
    simulated = np.mean(
        [
            run_scenario(scenario, seed=seed)
            .districts.query("month >= 12")
            .groupby("district", observed=True)["participation_rate"]
            .mean()[names]
            .to_numpy()
            for seed in SEEDS
        ],
        axis=0,
    )
    with_place = np.array([d.meeting_places > 0 for d in scenario.districts])
    gap = np.abs(np.log(simulated / fixed_point))[with_place]
    summary = (
        f"fixed point {np.round(fixed_point, 4).tolist()}, simulated "
        f"{np.round(simulated, 4).tolist()}; with a meeting place |log ratio| median "
        f"{np.median(gap):.2f}, max {gap.max():.2f}"
    )
    assert np.median(gap) < 0.2, f"expected the fixed point near the simulation; {summary}"
    assert gap.max() < np.log(2), f"expected every such district within 2x; {summary}"
    corr = np.corrcoef(fixed_point, simulated)[0, 1]
    assert corr > 0.8, f"expected the districts' order kept, correlation {corr:.2f}; {summary}"


def test_location_constants_do_not_hang_on_a_few_residents() -> None:
    """The constants weight residents by their move probability, not their hazard (ODD 7.8).

    A few residents whose housing cost far exceeds their income have monthly hazards far above
    1 (thousands); weighted by the hazard, one of them in the sample of 20,000 set Jakomäki's
    constant to -4.1 (seed 6) or -6.0 (seed 11) instead of about -1.5 at scale 0.1, and nobody
    moved there for a year (at the first issue-12 defaults). Measured with the probability
    weights: Jakomäki -0.85 to -0.93 in seeds 1, 6 and 11; the largest spread of any district
    0.23 (Länsi-Pakila).
    """
    scenario = load_scenario("helsinki", ["scenario.scale=0.1", "scenario.months=1"])
    names = [d.name for d in scenario.districts]
    constants = np.array(
        [DistrictModel(scenario, seed=s).districts.location_constant for s in (1, 6, 11)]
    )
    spread = constants.max(axis=0) - constants.min(axis=0)
    assert spread.max() < 0.5, (
        f"expected each district's constant to agree across seeds within 0.5 utility units; "
        f"largest spread {spread.max():.2f} in {names[int(spread.argmax())]}, Jakomäki "
        f"{np.round(constants[:, names.index('Jakomäki')], 2).tolist()}"
    )


def test_event_record_starts_at_the_expected_events_and_does_not_dip() -> None:
    """The rolling event record starts at each district's expected events per year (ODD 5).

    Each month of the record holds ``events0 / 12`` until the simulation overwrites it, so the
    12-month count neither starts at a rounded count nor dips while the record fills. Measured
    in two_districts (10 seeds): the traditional district's count stays at 4.0-4.6 in months
    0-9 (expected 4.8); with the former record (whole event months at the start of the record,
    the months overwritten first) it fell to 2.3 by month 6.
    """
    from districtsim.orgs.associations import expected_events_per_year

    scenario = load_scenario("two_districts", ["scenario.months=12"])
    model = DistrictModel(scenario, seed=1)
    expected = expected_events_per_year(model)
    np.testing.assert_allclose(model.districts.events_hist.sum(axis=0), expected, rtol=1e-12)
    counts = []
    for seed in range(1, 11):
        model = DistrictModel(scenario, seed=seed)
        for _ in range(10):
            model.step()
            counts.append(model.districts.events_year.copy())
    mean = np.mean(counts, axis=0)
    assert np.all(mean > 0.75 * expected), (
        f"expected the 12-month event count to stay near the expected {np.round(expected, 2)} "
        f"in the first 10 months, mean {np.round(mean, 2)}"
    )


def test_demand_record_starts_at_the_expected_first_choices() -> None:
    """The smoothed first choices and vacancies start at their expected values (ODD 7.8).

    Month 0's pressure is then near its expected zero in every seed. Measured in two_districts
    (10 seeds): SD of month-0 pressure 0.016 across seeds; with the record emptied (the former
    start, one month's counts taken as the smoothed record; the test runs it for contrast)
    0.19. With the empty start the creative district's price led its twin's by +45 EUR/m2
    after 2 years (40 seeds; +19 now, tests/validation/test_p1_p2_accumulation.py).
    """
    from districtsim import housing

    scenario = load_scenario("two_districts", ["scenario.months=1"])
    month0, month0_empty = [], []
    for seed in range(1, 11):
        model = DistrictModel(scenario, seed=seed)
        ds = model.districts
        np.testing.assert_array_equal(
            housing.demand_ratio(ds.first_choices, ds.vacancy_supply), ds.demand_baseline
        )
        assert np.all(ds.first_choices > 0) and np.all(ds.vacancy_supply > 0)
        model.step()
        month0.append(ds.pressure.copy())
        # The former start, for contrast: the same seed with the record emptied.
        empty = DistrictModel(scenario, seed=seed)
        empty.districts.first_choices[:] = 0.0
        empty.districts.vacancy_supply[:] = 0.0
        empty.step()
        month0_empty.append(empty.districts.pressure.copy())
    spread = np.std(month0, axis=0, ddof=1)
    spread_empty = np.std(month0_empty, axis=0, ddof=1)
    summary = f"SD across 10 seeds {np.round(spread, 4)}, with the record emptied " + str(
        np.round(spread_empty, 4)
    )
    assert np.all(spread < 0.05), (
        f"expected month 0's demand pressure near its expected zero in every seed; {summary}"
    )
    assert np.all(spread_empty > 2 * spread), (
        f"expected an empty record to make month 0's pressure much noisier; {summary}"
    )
