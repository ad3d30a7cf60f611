"""P7 Capitalisation and displacement and P8 Plausible magnitudes over replicates.

These are patterns of MODEL sections 1 and 7.

P7: "reputation gains raise prices; rising prices push low-income renters out
(measured as burden-driven moves)." P8: "annual residential mobility, price
levels and their spread, and participation rates within the ranges in
docs/ODD.md's calibration table (sources cited there)." Every statistic is
over replicate seeds, paired by seed where two arms are compared (common
random numbers), with 95% Student-t confidence intervals. The numbers below
were measured with these seeds when the tests were written.

Movers' incomes are not in the output tables (their tenure is, in the
``moves_out_<tenure>_persons`` and ``moves_out_burden_<tenure>_persons``
columns, added after these tests were written, which cover moves out of a
district only), so both parts also count moves with ``MoveTally``: a wrapper
around ``Residents.reset_occupants``, which the model calls for the old place
of every resident who moves (out of the city, to another district or within
the district; a searcher who finds no place stays and is not counted). It
records each mover's district and tenure and, from the same state the model
uses (``housing.housing_burden`` at the month's price), the probability that
the move is attributed to housing burden: ``1 - exp(-alpha_burden * max(0,
burden - burden_cap))`` (docs/ODD.md 7.9: the burden term's share of the
hazard). The tally's total equals the tables' moves out plus moves within,
person for person.

P7 Capitalisation and displacement [S4]
    ``two_districts`` at scale 0.05, 72 months, seeds 1-60 (20 before the
    issue-12 defaults); the shocked arm adds a ``reputation_shock``
    intervention of +0.2 to the Traditional district in month 12 (written to
    a temporary scenario with ``[scenario] base = "two_districts"``); both
    arms share the seed, and the first 12 months are identical. Seeds: with
    the demand-led price rule the movers' income ratio below was 0.66 over
    seeds 1-20 as over more seeds, but its bootstrap interval was wide and
    skewed ([0.54, 0.90]: the ratio's denominator, the extra burden-driven
    moves, is small on some seeds); over seeds 1-40 [0.57, 0.79], 1-60 [0.58,
    0.73], 1-80 0.62 [0.57, 0.69] (this seed exploration at the first issue-12
    defaults). The P7 fixture (120 runs) takes 70-85 s on a shared 2-core
    machine.
    Measured at the defaults of issue 12's third session, shocked minus
    baseline (mean [95% CI] over the 60 seeds; the first issue-12 defaults in
    brackets):
    - price of the shocked district (mean of its last 12 months): +638
      [+620, +655] EUR/m2 (4,773 -> 5,411, +12.5% in log; [+493, +9.8%];
      +623, +12.1%, before issue 12, when ``beta_reputation`` was 1.6). The
      gain is capitalised gradually (price time constant 24 months): in
      exploratory runs before issue 12 with the shock in month 24 (seeds 1-3)
      the premium was about +300 EUR/m2 one year after the shock, +480 after
      two and +570 after three, i.e. about 6%, 4% and 2% a year;
    - burden-driven moves out of it in the 60 months from the shock
      (``moves_out_burden_persons``): +391 [+323, +459] persons, +23% over
      the baseline's 1,720 ([+268, +15%]; before issue 12 +338, +18%);
    - who (expected burden-driven moves from the tally, within-district
      moves included): +392 [+338, +445] private renters, +22 owners, +9
      social renters, so 93% of the extra are private renters ([92%]; 89%
      before issue 12); the extra burden-driven movers' mean income is about
      21,000 EUR/year, 0.62 (upper bootstrap bound 0.68) of the district
      residents' mean of 33,690 ([0.64]; before issue 12 0.62, 20 seeds);
    - the shocked district's mean income (last 12 months) rises: +1,007 [+888,
      +1,126] EUR/year (gentrification; [+791]; +744 before issue 12).
    Not asserted (exploratory runs before issue 12, same design, seeds 1-20,
    4 arms; not re-measured at the new defaults): (1) all moves out rose less
    clearly, +162 [+10, +314] persons: a burden-driven mover is often someone
    who would have moved anyway, and the attribution then moves the move
    from "other" to "burden" ("other" -157 [-322, +8]). (2) City-wide
    displacement did not rise (-14 [-140, +112]): prices are relative to the
    city mean (7.8), so the other district gets cheaper and loses
    burden-driven moves. (3) Displacement was not what drives the
    gentrification: with burden moves switched off
    (``migration.alpha_burden=0`` in both arms) the shock raised the mean
    income by +654 [+442, +866], and the difference in differences was +90
    [-258, +439] EUR/year. Richer movers choosing the dearer district (the
    cost share in the location choice, 7.7) lift its mean income; the
    displaced are too few (about 2% of residents over 5 years) to move it
    measurably.

P8 Plausible magnitudes (docs/ODD.md section 9)
    The default city (``helsinki``), scale 0.05, 240 months, seeds 1-3. A
    year is months 12k to 12k + 11; yearly rates are the year's flows over
    the year's mean population. Bands, from the sources in the calibration
    table:
    - price level ±10% around 4,491 EUR/m2 (2020): the city's own figure
      rose 4% from 2019 to 2020 and 13% from 2015 (3,963, 4,323, 4,491),
      and the scenario's prices are 2020 figures while its population is of
      2025 (five years of the ~2% a year trend are ~10%);
    - price ratios ±20% (2.53x and 4.11x in 2019): the sources compare the
      city's price zones and two small neighbourhoods, not quarters and
      extremes of 34 synthetic basic districts;
    - mobility rates ±25% around "about 15%" and "about 12%": single-year
      counts (2022) rounded by MODEL (86,000 is 12.4% of the 2025
      population and more of the smaller 2022 one); the band checks the
      magnitude, not a calibration. City growth (1.02% a year, 2015-2025)
      gets the same ±25%;
    - ranges given by the sources are used as they are: district turnover
      8-25% (detached-house areas under 10%), owners 0.05-0.15 and renters
      0.20-0.30 moves a year, residents taking part in a month
      (``participation_rate``) single-digit % (here: at least 1% and under
      10% city-wide; yearly means). By district, under 17.3%, the EU's yearly
      formal volunteering share (revised in issue 12 from 10%, which MODEL
      does not state for districts; see the test).
    Input checks and emergent results (the "Kind" column of docs/ODD.md
    section 9). An *input check* tests a value that the scenario or a
    parameter sets (nearly) directly: it shows that the inputs were entered
    and survive the dynamics, not that the model is valid. The passing ones
    are named ``test_p8_input_check_*`` and their docstrings say what sets
    them; ``test_p8_moves_within_city`` (xfail) is also one (the move-rate
    parameters times ``1 - share_leaving_city``), and the month-0 case of
    ``test_p8_price_spread`` (the scenario's prices). Only the *emergent*
    tests (price spread after 10 and 20 years, relative spread, district
    turnover, detached-house turnover, participation, members) can
    validate the model, and the ones whose parameters were calibrated to
    the target (participation, members) weakly.
    Measured at the defaults of issue 12's third session (mean of the 3
    seeds; the first issue-12 defaults in brackets where they differ):
    - city growth 1.00-1.02% a year (target 1.02%, band 0.77-1.28%): holds, by
      construction (``migration.population_growth_per_year`` = 0.0102);
    - mean price 4,523-4,526 EUR/m2 in year 0 (band 4,042-4,940): holds (the
      scenario's input is 4,513, and prices follow the 2% a year trend);
    - top / bottom quarter (8 of 34 districts) of district prices 2.45
      (month 0, input), 2.62-2.63 (month 119), 2.65-2.69 (month 239), band
      2.02-3.03: holds; max / min 4.05 (input), mean over seeds 4.88 (month
      119; 4.75-5.09, seed 2 above the band) and 4.91 (month 239; 4.76-5.06,
      seed 2 above the band), band 3.29-4.93: holds as a seed mean, at month
      239 just under the band's upper end ([4.71 and 4.77]; before issue
      12, 2.39 and 2.33, 4.03 and 3.81);
    - district price ranks, month 0 vs month 239: Spearman 0.987-0.992 (the
      district fixed effects hold each district near its initial price);
      the gap max - min grows from 6,400 to 9,520-9,880 EUR/m2 (the 2% a
      year trend alone would take it to about 9,500): holds; the relative
      spread widens, price Gini 0.196 -> 0.210-0.213: holds (before issue 12
      it narrowed to 0.184);
    - moves within the city 11.3-11.4% a year (band 11.25-18.75%): holds,
      at the lower end, since ``share_leaving_city`` is 0.30 (Helsinki's
      2022 split; at 0.40 it was 10.0%, a strict expected failure); moves
      across the boundary 10.7-10.8% a year (band 9-15%, target 12%): holds
      ([14.4%] at 0.40);
    - district turnover (``moves_out_persons`` / population), 20-year means:
      10.0% to 28.7% (Reijola, the one district above 25%; [9.6-10.5% to
      28.8-29.5%]); the five detached-house districts (owner share >= 0.7)
      12.2% (Suutarila) to 16.8% (Tuomarinkylä), not under 10%: strict
      xfails, kept as a documented structural limitation (the hazard has no
      dwelling size or life stage; Kallio, whose average stay of 3.5 years
      means about 29% a year, turns over 14.8%);
    - realised moves a year by tenure (tally): owners 0.081-0.082, renters
      0.225-0.228 (private 0.32, social 0.086-0.090): holds (private renters
      alone are above 0.30: they bear most burden-driven moves, and a
      newcomer's low attachment raises the hazard);
    - residents taking part in a month (``participation_rate``), yearly
      means: city-wide 4.1% in year 0, 4.6-5.2% in year 19: holds (before
      issue 12, 10-12% from year 5-7 on); by district, 0-1 districts at 10%
      or more in year 0 and 4-6 in year 19 (Kallio, Vallila, Vanhakaupunki,
      Malmi, Herttoniemi, Vuosaari at 10.0-13.7%, the most active creative
      districts; 15.6% the highest yearly mean of any year), 1 below 0.5% in
      every seed (2, quiet from the start, at the defaults of issue 12's second
      session): under the revised 17.3%, holds (under 10%, the bound until
      issue 12, it was a strict xfail). The
      associations' active core (``active_members_persons`` / population;
      0.3% in year 0, 0.6% in year 19) is not the quantity of the target:
      it is the active residents who are members, a subset of them, so it
      is always smaller; an earlier version tested the target on it and
      also asserted that it is below ``participation_rate``, which holds by
      definition;
    - members (``members_persons`` / population) 4.1% in year 0 (the
      initial share is 4%) -> 4.3% in year 19 (mean of the seeds): holds.
    Before issue 12, one run at scale 0.2 (seed 1) gave the same picture: within 9.9%,
    boundary 14.2%, turnover 10.7-28.5% (detached 12.1-18.2%), owners 0.084
    vs renters 0.230, Gini 0.196 -> 0.184, so the failures are not an
    artefact of the small scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from replicates import mean_ci
from scipy import stats

from districtsim import housing
from districtsim.executors import LocalExecutor
from districtsim.model import DistrictModel
from districtsim.residents import OWNER, PRIVATE, SOCIAL
from districtsim.scenario import Scenario, load_scenario

pytestmark = pytest.mark.slow

SCALE = 0.05
P7_SEEDS = list(range(1, 61))  # 1-20 before issue 12: see the module docstring
P7_MONTHS = 72
SHOCK_MONTH = 12
SHOCK = 0.2
SHOCKED = "Traditional"
P8_SEEDS = [1, 2, 3]
P8_MONTHS = 240
YEARS = P8_MONTHS // 12


def fmt(ci: tuple[float, float, float]) -> str:
    return f"{ci[0]:+.4g} [{ci[1]:+.4g}, {ci[2]:+.4g}]"


class MoveTally:
    """Moves by district and tenure and their expected burden attribution.

    They are counted at ``Residents.reset_occupants``.

    The model calls ``reset_occupants`` once for the residents who leave the
    city and once for the searchers it placed (within or between districts),
    before their old places' state is cleared; the wrapper reads the movers'
    district, tenure, income and reference price there. Residents'
    person-months are counted after each step with :meth:`after_step`.
    Counting starts at month ``start``.
    """

    def __init__(self, model: DistrictModel, start: int = 0) -> None:
        self.model = model
        self.start = start
        self._reset = model.residents.reset_occupants
        model.residents.reset_occupants = self  # an instance attribute shadows the method
        shape = (model.n_districts, 3)
        self.moves, self.burden, self.burden_income, self.person_months = (
            np.zeros(shape) for _ in range(4)
        )

    def _add(self, table: np.ndarray, idx: np.ndarray, weights: np.ndarray | None = None) -> None:
        r = self.model.residents
        key = r.district[idx].astype(np.intp) * 3 + r.tenure[idx]
        table += np.bincount(key, weights=weights, minlength=table.size).reshape(table.shape)

    def __call__(self, idx: np.ndarray) -> None:
        m = self.model
        if m.month >= self.start:
            r = m.residents
            price = np.exp(m.districts.log_price)[r.district[idx]]
            burden = housing.housing_burden(
                price,
                r.price_ref_eur_m2[idx].astype(float),
                r.tenure[idx],
                r.income_eur[idx].astype(float),
                m.params.housing,
            )
            p_burden = -np.expm1(
                -m.params.migration.alpha_burden
                * np.maximum(burden - m.params.migration.burden_cap, 0.0)
            )
            self._add(self.moves, idx)
            self._add(self.burden, idx, p_burden)
            self._add(self.burden_income, idx, p_burden * r.income_eur[idx])
        self._reset(idx)

    def after_step(self) -> None:
        if self.model.month > self.start:  # the month just stepped is month - 1
            r = self.model.residents
            self._add(self.person_months, np.flatnonzero(r.occupied))


@dataclass(frozen=True)
class TallyCounts:
    """The counts of a :class:`MoveTally` after a run, without the model (picklable)."""

    moves: np.ndarray
    burden: np.ndarray
    burden_income: np.ndarray
    person_months: np.ndarray


def run_with_tally(
    scen: Scenario, seed: int, start: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, TallyCounts]:
    """Run like :func:`districtsim.run.run_scenario`.

    Return the district and city tables and the move tally's counts.
    """
    assert not any(iv.type == "rent_cap" for iv in scen.interventions), (
        "the tally's burden ignores rent caps"
    )
    model = DistrictModel(scen, seed=seed)
    tally = MoveTally(model, start)
    for _ in range(scen.months):
        model.step()
        tally.after_step()
    districts = model.recorder.districts_frame()
    recorded = (
        districts.loc[districts["month"] >= start, ["moves_out_persons", "moves_within_persons"]]
        .to_numpy()
        .sum()
        * scen.scale
    )
    assert tally.moves.sum() == pytest.approx(recorded, abs=0.5), (
        "expected the tally to count every move of the tables (moves out plus within): "
        f"{tally.moves.sum():g} vs {recorded:g} simulated persons"
    )
    counts = TallyCounts(tally.moves, tally.burden, tally.burden_income, tally.person_months)
    return districts, model.recorder.city_frame(), counts


def _run_with_tally_job(job: tuple[int, Scenario, int, int]):
    index, *args = job
    return index, run_with_tally(*args)


def runs_with_tally(
    jobs: list[tuple[Scenario, int, int]],
) -> list[tuple[pd.DataFrame, pd.DataFrame, TallyCounts]]:
    """:func:`run_with_tally` for each ``(scenario, seed, start)``, on the project's
    :class:`~districtsim.executors.LocalExecutor` with two processes, in job order.

    Each run depends only on its scenario and seed (``tests/helpers.run_seeds`` does the same
    for plain runs).
    """
    done: dict[int, tuple[pd.DataFrame, pd.DataFrame, TallyCounts]] = {}
    with LocalExecutor(workers=2) as executor:
        executor.execute(
            _run_with_tally_job,
            [(i, *job) for i, job in enumerate(jobs)],
            lambda item: done.__setitem__(*item),
        )
    return [done[i] for i in range(len(jobs))]


def by_district(df: pd.DataFrame, column: str, names: list[str]) -> np.ndarray:
    """A (months, districts) array of ``column`` in the scenario's district order."""
    return df.pivot(index="month", columns="district", values=column)[names].to_numpy()


# --------------------------------------------------------------------- P7
@pytest.fixture(scope="module")
def p7(tmp_path_factory) -> dict[str, np.ndarray]:
    path = Path(tmp_path_factory.mktemp("p7")) / "reputation_shock.toml"
    path.write_text(
        '[scenario]\nbase = "two_districts"\nname = '
        '"reputation_shock"\n\n[[interventions]]\ntype = "reputation_shock"\ndistricts = '
        f'["{SHOCKED}"]\nstart_month = {SHOCK_MONTH}\nchange = {SHOCK}\n',
        encoding="utf-8",
    )
    overrides = [f"scenario.months={P7_MONTHS}", f"scenario.scale={SCALE}"]
    arms = {
        "base": load_scenario("two_districts", overrides),
        "shock": load_scenario(str(path), overrides),
    }
    names = [d.name for d in arms["base"].districts]
    j = names.index(SHOCKED)
    after = slice(SHOCK_MONTH, P7_MONTHS)
    last_year = slice(P7_MONTHS - 12, P7_MONTHS)
    keys = (
        "reputation",
        "price",
        "burden_out",
        "income",
        "burden_by_tenure",
        "burden_income",
        "resident_income",
    )
    out: dict[str, list] = {f"{k}_{a}": [] for k in keys for a in arms}
    jobs = [(scen, seed, SHOCK_MONTH) for seed in P7_SEEDS for scen in arms.values()]
    results = iter(runs_with_tally(jobs))
    for _seed in P7_SEEDS:
        for arm in arms:
            districts, _, tally = next(results)
            out[f"reputation_{arm}"].append(
                by_district(districts, "reputation", names)[SHOCK_MONTH, j]
            )
            out[f"price_{arm}"].append(
                by_district(districts, "price_eur_m2", names)[last_year, j].mean()
            )
            out[f"burden_out_{arm}"].append(
                by_district(districts, "moves_out_burden_persons", names)[after, j].sum()
            )
            out[f"income_{arm}"].append(
                by_district(districts, "mean_income_eur", names)[last_year, j].mean()
            )
            out[f"burden_by_tenure_{arm}"].append(tally.burden[j] / SCALE)
            out[f"burden_income_{arm}"].append(tally.burden_income[j].sum() / SCALE)
            pop = by_district(districts, "population", names)[after, j]
            out[f"resident_income_{arm}"].append(
                np.average(by_district(districts, "mean_income_eur", names)[after, j], weights=pop)
            )
    return {k: np.array(v) for k, v in out.items()}


def test_p7_reputation_gain_raises_price(p7) -> None:
    rep = mean_ci(p7["reputation_shock"] - p7["reputation_base"])
    diff = mean_ci(p7["price_shock"] - p7["price_base"])
    log_diff = mean_ci(np.log(p7["price_shock"] / p7["price_base"]))
    summary = (
        f"reputation in the shock month {fmt(rep)}; price in the last 12 months, shocked minus "
        f"baseline {fmt(diff)} EUR/m2 (baseline {p7['price_base'].mean():.0f}), in log "
        f"{fmt(log_diff)}"
    )
    assert rep[1] > 0.9 * SHOCK, (
        f"expected the shock to raise the district's reputation by about {SHOCK}; {summary}"
    )
    assert diff[1] > 0, (
        "P7: expected the reputation gain to raise the district's price (95% CI of the "
        f"paired difference above 0); {summary}"
    )


def test_p7_rising_prices_raise_burden_driven_moves(p7) -> None:
    base, shock = p7["burden_out_base"], p7["burden_out_shock"]
    diff = mean_ci(shock - base)
    assert diff[1] > 0, (
        "P7: expected more burden-driven moves out of the shocked district in the "
        f"{P7_MONTHS - SHOCK_MONTH} months after the shock (moves_out_burden_persons): "
        f"shocked minus baseline {fmt(diff)} persons (baseline {base.mean():.0f}, shocked "
        f"{shock.mean():.0f})"
    )


def test_p7_displaced_are_low_income_renters(p7) -> None:
    extra = (
        p7["burden_by_tenure_shock"] - p7["burden_by_tenure_base"]
    )  # (seeds, tenures), expected burden-driven moves (persons)
    private = mean_ci(extra[:, PRIVATE])
    private_share = extra[:, PRIVATE].sum() / extra.sum()

    def income_ratio(i: np.ndarray) -> float:
        """Mean income of the extra burden-driven movers over the residents' mean income.

        It is pooled over seeds ``i``.
        """
        return float(
            (p7["burden_income_shock"][i] - p7["burden_income_base"][i]).sum()
            / extra[i].sum()
            / p7["resident_income_base"][i].mean()
        )

    seeds = np.arange(len(P7_SEEDS))
    income = (p7["burden_income_shock"] - p7["burden_income_base"]).sum() / extra.sum()
    residents = p7["resident_income_base"].mean()
    rng = np.random.default_rng(7)
    boot_hi = np.percentile(
        [income_ratio(rng.choice(seeds, seeds.size)) for _ in range(2000)], 97.5
    )
    summary = (
        "extra expected burden-driven moves per seed (shocked minus baseline): owners "
        f"{extra[:, OWNER].mean():+.0f}, private renters {fmt(private)}, "
        f"social renters {extra[:, SOCIAL].mean():+.0f} persons; private renters' share "
        f"{private_share:.2f}; "
        f"mean income of the extra burden-driven movers {income:.0f} EUR/year vs the "
        f"district residents' {residents:.0f} ({income / residents:.2f}, upper 95% "
        f"bootstrap bound {boot_hi:.2f})"
    )
    assert private[1] > 0, f"P7: expected the shock to push out more private renters; {summary}"
    assert private_share > 0.5, (
        f"P7: expected most of the extra burden-driven moves to be private renters'; {summary}"
    )
    assert boot_hi < 0.8, (
        "P7: expected the extra burden-driven movers to have low incomes (below 80% of "
        f"the residents' mean, upper 95% bootstrap bound); {summary}"
    )


def test_p7_shocked_district_gentrifies(p7) -> None:
    diff = mean_ci(p7["income_shock"] - p7["income_base"])
    assert diff[1] > 0, (
        "expected the shocked district's mean income (mean_income_eur, last 12 months) to "
        f"rise relative to the baseline: {fmt(diff)} EUR/year (baseline "
        f"{p7['income_base'].mean():.0f})"
    )


# --------------------------------------------------------------------- P8
PRICE_MEAN_EUR_M2 = 4491.0  # 2020
PRICE_LEVEL_TOL = 0.10
QUARTER_RATIO = 7345 / 2907  # price zones, 2019
EXTREME_RATIO = 8525 / 2073  # Kaivopuisto-Ullanlinna vs Jakomäki, 2019
RATIO_TOL = 0.20
GROWTH_PER_YEAR = (695526 / 628208) ** (1 / 10) - 1  # 2015-2025
WITHIN_PER_YEAR = 0.15
BOUNDARY_PER_YEAR = 0.12
RATE_TOL = 0.25
TURNOVER_RANGE = (0.08, 0.25)
DETACHED_MAX = 0.10
DETACHED_OWNER_SHARE = 0.7  # the scenario's detached-house districts (helsinki.toml)
OWNER_RANGE = (0.05, 0.15)
RENTER_RANGE = (0.20, 0.30)
PARTICIPATION_RANGE = (0.01, 0.10)  # single-digit % of residents taking part in a month
DISTRICT_PARTICIPATION_MAX = 0.173  # EU 2015: formal volunteering in 12 months (REFERENCES)
MEMBERS_MAX = 0.10


def band(target: float, tol: float) -> tuple[float, float]:
    return target * (1 - tol), target * (1 + tol)


@pytest.fixture(scope="module")
def p8() -> dict:
    scen = load_scenario("helsinki", [f"scenario.months={P8_MONTHS}", f"scenario.scale={SCALE}"])
    names = [d.name for d in scen.districts]
    runs = runs_with_tally([(scen, seed, 0) for seed in P8_SEEDS])
    return {"scenario": scen, "names": names, "runs": runs}


def yearly(city: pd.DataFrame, flow: pd.Series) -> np.ndarray:
    """A monthly flow summed per year over the year's mean population, one value per year.

    This is a rate per year.
    """
    year = city["month"] // 12
    return (flow.groupby(year).sum() / city["population"].groupby(year).mean()).to_numpy()


def test_p8_input_check_city_growth(p8) -> None:
    """Input check: city growth is set by ``migration.population_growth_per_year`` (0.0102).

    Newcomers replace the month's leavers plus the growth (docs/ODD.md 7.9), so
    the rate holds by construction; the test guards the bookkeeping, it does
    not validate the model.
    """
    growth = np.array(
        [
            (c["population"].iloc[-1] / c["population"].iloc[0]) ** (12 / (P8_MONTHS - 1)) - 1
            for _, c, _ in p8["runs"]
        ]
    )
    lo, hi = band(GROWTH_PER_YEAR, RATE_TOL)
    assert np.all((lo <= growth) & (growth <= hi)), (
        f"P8: expected city growth within [{lo:.2%}, {hi:.2%}] a year (target "
        f"{GROWTH_PER_YEAR:.2%}); measured per seed {np.round(growth * 100, 3)}%"
    )


def test_p8_input_check_mean_price_at_start(p8) -> None:
    """Input check: the year-0 price level is the scenario's (4,513 EUR/m2 at month 0).

    Prices then follow ``housing.price_trend_per_year`` (7.8); not validation.
    """
    first_year = np.array([c["price_eur_m2_mean"].iloc[:12].mean() for _, c, _ in p8["runs"]])
    lo, hi = band(PRICE_MEAN_EUR_M2, PRICE_LEVEL_TOL)
    assert np.all((lo <= first_year) & (first_year <= hi)), (
        f"P8: expected the population-weighted mean price in year 0 within [{lo:.0f}, "
        f"{hi:.0f}] EUR/m2; measured per seed {np.round(first_year)}"
    )


@pytest.mark.parametrize("month", [pytest.param(0, id="0_input_check"), 119, 239])
def test_p8_price_spread(p8, month) -> None:
    """Input check at month 0, emergent at months 119 and 239: price zones and extremes.

    The month-0 prices are the scenario's (district fixed effects, docs/ODD.md
    section 5); after 10 and 20 years the ratios are what the model's reputation,
    liveability and demand terms (7.8) have made of them.

    The zones (top / bottom quarter, 8 districts each) are checked in every seed; the
    extremes (the price of one district over another's) as the mean over the seeds. Since
    issue 12 prices follow demand (``housing.beta_demand`` 0.6), and at scale 0.05 the
    cheapest district (Jakomäki, 6,350 residents, 317 simulated) carries the noise of a few
    simulated movers a month. Measured (defaults of issue 12's third session, seeds 1-3):
    zones 2.62-2.63 at month 119 and 2.65-2.69 at 239; extremes 4.81, 5.09, 4.75 (mean 4.88)
    at month 119 and 4.76, 5.06, 4.92 (mean 4.91, just under the band's 4.93) at 239, widening
    from 4.05 as the cheapest eastern districts fall behind in the first years (docs/ODD.md
    section 9).
    """
    quarter = len(p8["names"]) // 4
    ratios, extremes = [], []
    for districts, city, _ in p8["runs"]:
        prices = np.sort(by_district(districts, "price_eur_m2", p8["names"])[month])
        ratios.append(prices[-quarter:].mean() / prices[:quarter].mean())
        extremes.append(city["price_eur_m2_max"].iloc[month] / city["price_eur_m2_min"].iloc[month])
    q_lo, q_hi = band(QUARTER_RATIO, RATIO_TOL)
    e_lo, e_hi = band(EXTREME_RATIO, RATIO_TOL)
    summary = (
        f"month {month}: mean price of the top {quarter} / bottom {quarter} districts per seed "
        f"{np.round(ratios, 3)} (band [{q_lo:.2f}, {q_hi:.2f}]); max / min "
        f"{np.round(extremes, 3)} (band [{e_lo:.2f}, {e_hi:.2f}])"
    )
    assert all(q_lo <= r <= q_hi for r in ratios), (
        f"P8: price zones (~{QUARTER_RATIO:.2f}x); {summary}"
    )
    assert e_lo <= np.mean(extremes) <= e_hi, (
        f"P8: extreme areas (~{EXTREME_RATIO:.2f}x, mean over seeds); {summary}"
    )


def test_p8_input_check_price_ranks_stable_and_gap_grows(p8) -> None:
    """Input check: stable ranks and a growing EUR/m2 gap hold by construction.

    Each district's price target carries its fixed effect, which reproduces its
    initial price (docs/ODD.md 7.8), so the rank order stays unless the
    reputation, liveability and demand terms move prices by more than the gaps
    between neighbours; the city trend (2% a year) alone would grow the gap max -
    min from 6,400 to about 9,500 EUR/m2. Whether the gap widens *relative* to
    the price level is the emergent part (``test_p8_relative_price_spread_widens``).
    """
    rho, gap0, gap1 = [], [], []
    for districts, city, _ in p8["runs"]:
        prices = by_district(districts, "price_eur_m2", p8["names"])
        rho.append(stats.spearmanr(prices[0], prices[-1]).statistic)
        gap0.append(city["price_eur_m2_max"].iloc[0] - city["price_eur_m2_min"].iloc[0])
        gap1.append(city["price_eur_m2_max"].iloc[-1] - city["price_eur_m2_min"].iloc[-1])
    summary = (
        f"Spearman correlation of district prices, month 0 vs month {P8_MONTHS - 1}, per seed "
        f"{np.round(rho, 4)}; max - min {np.round(gap0)} -> {np.round(gap1)} EUR/m2"
    )
    assert min(rho) > 0.9, (
        f"P8: expected a stable rank order of district prices over 20 years; {summary}"
    )
    assert all(b > a for a, b in zip(gap0, gap1, strict=True)), (
        f"P8: expected the gap between the most and least expensive district to grow; {summary}"
    )


def test_p8_relative_price_spread_widens(p8) -> None:
    """Emergent: the relative price spread (price Gini) at month 239 vs month 0.

    Measured (defaults of issue 12's third session, seeds 1-3): 0.196 at month 0,
    0.210-0.213 at month 239 (at the first issue-12 defaults 0.206-0.208 after 10 years and
    0.206-0.209 after 20 years: it widened in the first decade and then held). Before issue 12
    it narrowed (0.184 after 20 years, a strict expected failure). Location constants (the initial
    settlement a flow equilibrium),
    income homophily and demand-led prices (docs/ODD.md 7.7, 7.8) keep the
    expensive districts' demand; part of the early widening is the cheapest
    districts' prices falling behind in the first years (section 9).
    """
    gini = np.array([[c["price_gini"].iloc[0], c["price_gini"].iloc[-1]] for _, c, _ in p8["runs"]])
    assert np.all(gini[:, 1] > gini[:, 0]), (
        "P8: expected the top-bottom gap to widen relative to the price level (price_gini "
        f"month 0 -> {P8_MONTHS - 1}): {np.round(gini, 4).tolist()}"
    )


def test_p8_input_check_moves_within_city(p8) -> None:
    """Input check (derived): moves within the city are set by the move-rate parameters.

    They are the realised move rate (about the tenure rates
    ``migration.move_rate_<tenure>_per_year`` over the tenure mix) times ``1 -
    share_leaving_city`` (0.30, from Helsinki's 2022 split of movers: about 43,000 of
    145,000 left the city). Until issue 12's second session ``share_leaving_city`` was 0.40
    and this was a strict expected failure at 10.0% a year.
    """
    rates = np.array(
        [
            yearly(
                c,
                c["moves_out_persons"]
                - c["moves_out_to_outside_persons"]
                + c["moves_within_persons"],
            ).mean()
            for _, c, _ in p8["runs"]
        ]
    )
    lo, hi = band(WITHIN_PER_YEAR, RATE_TOL)
    assert np.all((lo <= rates) & (rates <= hi)), (
        f"P8: expected moves within the city within [{lo:.1%}, {hi:.1%}] of residents a "
        f"year (20-year mean); measured per seed {np.round(rates * 100, 2)}%"
    )


def test_p8_input_check_moves_across_boundary(p8) -> None:
    """Input check: boundary moves are set by ``share_leaving_city`` and the growth rate.

    Leavers are ``share_leaving_city`` (0.30, from Helsinki's 2022 split of movers) of
    the movers and newcomers replace them plus the growth (docs/ODD.md 7.9), so the
    rate is about 2 x 0.3 x 16.7% + 1% (measured 10.7-10.8%); not validation.
    """
    rates = np.array(
        [
            yearly(c, c["moves_in_from_outside_persons"] + c["moves_out_to_outside_persons"]).mean()
            for _, c, _ in p8["runs"]
        ]
    )
    lo, hi = band(BOUNDARY_PER_YEAR, RATE_TOL)
    assert np.all((lo <= rates) & (rates <= hi)), (
        f"P8: expected moves across the city boundary (in and out) within [{lo:.1%}, "
        f"{hi:.1%}] of residents a year (20-year mean); measured per seed "
        f"{np.round(rates * 100, 2)}%"
    )


def district_turnover(p8) -> pd.Series:
    """Mean over seeds of each district's 20-year mean turnover.

    Turnover is moves_out_persons / population a year.
    """
    per_seed = []
    for districts, _, _ in p8["runs"]:
        g = districts.groupby("district", observed=True)
        per_seed.append(g["moves_out_persons"].sum() / g["population"].mean() / YEARS)
    return pd.concat(per_seed, axis=1).mean(axis=1)[p8["names"]]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="issue-12 defaults (third session), seeds 1-3: 20-year means 10.0% to 28.7% "
    "(Reijola, the one district above 25%; first issue-12 defaults 9.6-10.5% to 28.8-29.5%). "
    "Before issue 12: "
    "district turnover ran above 25% a year in expensive inner and western districts: "
    "20-year means 10.6% (Vuosaari) to "
    "28.4% (Reijola), with Taka-Töölö, Ullanlinna, Alppiharju and Reijola at 26-28% (seeds "
    "1-3; single years up to 32%). Burden-driven "
    "moves alone are 4-7% a year there (seed 1), and several of them are traditional "
    "districts with low identity (Reijola 0.04, "
    "Ullanlinna 0.11), which raises the hazard; across districts turnover correlates +0.61 "
    "with log price and -0.62 with identity (+0.69 and -0.60 at the third session's "
    "defaults). A structural limitation, not a calibration "
    "one: the hazard (docs/ODD.md 7.9) varies between districts only with tenure mix, "
    "identity, liveability and burden, so the creative inner districts, whose identity is "
    "high, turn over little (Kallio 14.8%, while its average stay of about 3.5 years, "
    "REFERENCES, means about 29% a year), and the traditional inner ones a lot. Real "
    "turnover is set mostly by dwelling size and life stage, which the model lacks "
    "(docs/ODD.md section 9, 'Still open').",
)
def test_p8_district_turnover_range(p8) -> None:
    """Emergent: district turnover, from the hazard's identity, liveability and burden terms."""
    turnover = district_turnover(p8)
    lo, hi = TURNOVER_RANGE
    outside = turnover[(turnover < lo) | (turnover > hi)]
    assert outside.empty, (
        f"P8: expected every district's turnover within [{lo:.0%}, {hi:.0%}] a year; "
        f"outside: {outside.round(3).to_dict()} (range "
        f"{turnover.min():.3f}-{turnover.max():.3f})"
    )


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="the detached-house districts (owner share >= 0.7: Suutarila, Östersundom, "
    "Itä-Pakila, Tuomarinkylä, Länsi-Pakila) turn over 12.2-16.8% a year (issue-12 defaults, "
    "third session, seeds 1-3; 12.4-17.9% before issue 12), not under 10%. They are not "
    "the calmest districts: the large creative suburbs Vuosaari, Malmi, Vanhakaupunki and "
    "Herttoniemi are, at 10.0-11.7% (seeds 1-3; 11-12% before issue 12). Owner share hardly "
    "matters across districts (correlation with turnover +0.00; -0.06 before issue 12): the "
    "hazard "
    "rises with low identity and low liveability (docs/ODD.md 7.9), and four of the five "
    "are traditional districts with identity "
    "0.04-0.13 (Vuosaari 0.94) and liveability 0.44-0.50 against a city mean of 0.61-0.70 "
    "(seed 1). Their tenure mix alone, at the tenure move rates (0.08 owners, 0.25 private, "
    "0.10 social renters), gives 10.3-11.6% a year: under 10% needs the lower mobility of "
    "families in detached houses (life stage, dwelling type), which the model lacks "
    "(docs/ODD.md section 9, 'Still open').",
)
def test_p8_detached_house_areas_turn_over_least(p8) -> None:
    """Emergent: turnover of the detached-house districts (owner share >= 0.7)."""
    turnover = district_turnover(p8)
    detached = [d.name for d in p8["scenario"].districts if d.share_owner >= DETACHED_OWNER_SHARE]
    assert len(detached) == 5, (
        f"expected the five detached-house districts of helsinki.toml, got {detached}"
    )
    assert (turnover[detached] < DETACHED_MAX).all(), (
        f"P8: expected detached-house areas to turn over less than {DETACHED_MAX:.0%} a "
        f"year: {turnover[detached].round(3).to_dict()}"
    )


def test_p8_input_check_owners_move_less_than_renters(p8) -> None:
    """Input check: realised move rates by tenure against the tenure move-rate parameters.

    The parameters are 0.08 (owners), 0.25 (private) and 0.10 (social renters) a
    year, chosen inside the target ranges; the hazard's other terms shift the
    realised rates a little (docs/ODD.md 7.9). Not validation.
    """
    moves = np.array([t.moves.sum(axis=0) for _, _, t in p8["runs"]])
    years = np.array([t.person_months.sum(axis=0) / 12 for _, _, t in p8["runs"]])
    owners = moves[:, OWNER] / years[:, OWNER]
    renters = moves[:, [PRIVATE, SOCIAL]].sum(axis=1) / years[:, [PRIVATE, SOCIAL]].sum(axis=1)
    private, social = moves[:, PRIVATE] / years[:, PRIVATE], moves[:, SOCIAL] / years[:, SOCIAL]
    summary = (
        f"realised moves a year per seed: owners {np.round(owners, 4)}, renters "
        f"{np.round(renters, 4)} (private {np.round(private, 4)}, social {np.round(social, 4)})"
    )
    assert np.all(owners < renters) and np.all(owners < private), (
        f"P8: expected owners to move less than renters; {summary}"
    )
    assert np.all((OWNER_RANGE[0] <= owners) & (owners <= OWNER_RANGE[1])), (
        f"P8: expected owners within {OWNER_RANGE}; {summary}"
    )
    assert np.all((RENTER_RANGE[0] <= renters) & (renters <= RENTER_RANGE[1])), (
        f"P8: expected renters within {RENTER_RANGE}; {summary}"
    )


def yearly_participation(p8) -> tuple[np.ndarray, np.ndarray]:
    """Yearly means of ``participation_rate``: city (seeds, years), districts (seeds, years, d)."""
    city, districts = [], []
    for d, c, _ in p8["runs"]:
        city.append(c["participation_rate"].groupby(c["month"] // 12).mean().to_numpy())
        rate = d.pivot(index="month", columns="district", values="participation_rate")
        districts.append(rate[p8["names"]].groupby(rate.index // 12).mean().to_numpy())
    return np.array(city), np.array(districts)


def participation_summary(p8) -> str:
    city, districts = yearly_participation(p8)
    core = np.array(
        [
            (c["active_members_persons"] / c["population"]).groupby(c["month"] // 12).mean()
            for _, c, _ in p8["runs"]
        ]
    )
    high = [
        {n: round(100 * float(x), 1) for n, x in zip(p8["names"], r, strict=True) if x >= 0.1}
        for r in districts[:, -1]
    ]
    return (
        "participation_rate by year, city, mean of seeds: "
        f"{np.round(city.mean(axis=0) * 100, 2)}%; year 19 per seed "
        f"{np.round(city[:, -1] * 100, 2)}%; districts at 10% or more per seed in year 0 "
        f"{(districts[:, 0] >= 0.1).sum(axis=1)}, in year 19 {high}; districts below 0.5% in "
        f"year 19 per seed {(districts[:, -1] < 0.005).sum(axis=1)} (not asserted); for "
        "reference, the active core (active_members_persons / population, a subset of the "
        f"active residents) {np.round(core.mean(axis=0) * 100, 2)}%"
    )


def test_p8_participation_single_digit_city(p8) -> None:
    """Emergent (calibrated thresholds): single-digit % of residents take part in a month.

    MODEL 5.12: "a single-digit share of residents is active in a given month"
    (section 7: "a small core (single-digit % of residents)"; Norway 2017: 6% did
    unpaid work for a residents' association or community group, REFERENCES).
    The quantity is ``participation_rate``, the share of residents active this
    month (docs/ODD.md 7.3), city-wide, as yearly means, every year and seed.
    Measured (defaults of issue 12's third session, seeds 1-3, scale 0.05): 4.1% in
    year 0 rising slowly to 4.6-5.2% in year 19. Before issue 12 it was 10-12% from year 5-7
    on (a strict expected failure): tipped districts settled at 29-42%.
    """
    city, _ = yearly_participation(p8)
    lo, hi = PARTICIPATION_RANGE
    assert np.all((lo <= city) & (city < hi)), (
        f"P8: expected between {lo:.0%} and {hi:.0%} of residents taking part in a month "
        f"(city-wide, every year); {participation_summary(p8)}"
    )


def test_p8_participation_by_district_below_yearly_volunteering(p8) -> None:
    """Emergent, revised in issue 12: no district's monthly share above the EU's yearly one.

    The single-digit target is city-wide (MODEL 5.12: "a single-digit share of
    residents is active in a given month"; MODEL 7: "a small core (single-digit %
    of residents)"), tested in :func:`test_p8_participation_single_digit_city`.
    Until issue 12 this test applied the same 10% to every district, which MODEL
    does not state and no source gives (a strict expected failure: the most
    active creative districts, with meeting places, forums and festivals, reach
    low double digits). The revised bound is the one figure the references give
    for a share of residents doing any associational work: 17.3% of EU adults did
    formal volunteering at all in 12 months (EU-SILC 2015, REFERENCES). A monthly
    active share above a yearly share of the whole adult population would mean
    that a district is more active in a month than Europe is in a year. Yearly
    means of ``participation_rate``, every year, district and seed. Measured
    (seeds 1-3, defaults of issue 12's third session): at most 15.6%; 4-6
    districts at 10.0-13.7% in year 19 (Kallio, Vallila, Vanhakaupunki, Malmi,
    Herttoniemi, Vuosaari).
    """
    _, districts = yearly_participation(p8)
    assert np.all(districts < DISTRICT_PARTICIPATION_MAX), (
        f"P8: expected under {DISTRICT_PARTICIPATION_MAX:.1%} of each district's residents "
        f"taking part in a month (every year; max {districts.max():.1%}); "
        f"{participation_summary(p8)}"
    )


def test_p8_members_small_core(p8) -> None:
    """Emergent (calibrated ``p_join_per_month``): members stay a small core, under 10%.

    Starts at the input ``associations.initial_member_share`` (4%); the later
    years come from joining and leaving (docs/ODD.md 7.4). MODEL gives no share
    (Helka's 70-77 member associations is a count), so 10% is MODEL's "small
    core", read as single-digit.
    """
    members = np.array(
        [
            (c["members_persons"] / c["population"]).groupby(c["month"] // 12).mean().to_numpy()
            for _, c, _ in p8["runs"]
        ]
    )
    assert np.all(members < MEMBERS_MAX), (
        f"P8: expected association members to stay a small core (under {MEMBERS_MAX:.0%} of "
        f"residents every year): by year, mean of seeds {np.round(members.mean(axis=0) * 100, 1)}%"
    )
