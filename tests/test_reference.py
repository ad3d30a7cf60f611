"""The per-agent reference of the resident rules (districtsim.reference, issue 16).

Unit checks: a ReferenceModel builds from the engine's city, keeps one agent per occupied
place, runs the engine's ledger, and each rule gives what a hand computation gives.

Docking (districtsim.docking): the engine and the reference run the default city
(helsinki, scale 0.003: about 2,100 residents in 34 districts) for 12 months on the same
SEEDS, so each pair starts from the same month-0 city; each output is compared with a paired
t-test of the per-seed differences, Holm-corrected over the outputs. The docking passes when
every corrected p-value is above ALPHA. A reference with one rule changed on purpose (a
mutant) must fail: the corrected p-value of the output the rule drives must be below ALPHA.
docs/reference.md gives the p-values over five seed sets and five mutants
(experiments/docking/, checked by tests/test_docking_results.py).
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap

import numpy as np
import pytest

from districtsim.docking import ALPHA, MUTANTS, docking_pvalues, holm, replicates
from districtsim.model import DistrictModel
from districtsim.reference import ReferenceModel
from helpers import small_scenario

SEEDS = tuple(range(1, 21))


class Fixed:
    """A stand-in random stream whose uniforms are given (hand computations)."""

    def __init__(self, *uniforms: float, gumbel: float = 0.0) -> None:
        self.uniforms = list(uniforms)
        self.gumbel_value = gumbel

    def random(self) -> float:
        return self.uniforms.pop(0)

    def gumbel(self) -> float:
        return self.gumbel_value


@pytest.fixture
def model() -> ReferenceModel:
    return ReferenceModel(small_scenario(12), seed=3)


def test_the_reference_starts_from_the_engines_city_with_one_agent_per_occupied_place(model):
    engine = DistrictModel(small_scenario(12), seed=3)
    r = model.residents
    for name in ("occupied", "income_eur", "engagement", "theta", "member_of", "tenure"):
        assert np.array_equal(getattr(r, name), getattr(engine.residents, name)), name
    people = model.people
    assert sorted(x.place for x in people) == np.flatnonzero(r.occupied).tolist()
    assert all(model.occupant[x.place] is x for x in people)
    x = people[10]
    assert x.income_eur == pytest.approx(r.income_eur[x.place])
    assert x.member_of == r.member_of[x.place]


def test_the_reference_steps_and_writes_its_agents_back_to_the_arrays(model):
    for _ in range(3):
        model.step()
    r = model.residents
    people = model.people
    assert sorted(x.place for x in people) == np.flatnonzero(r.occupied).tolist()
    assert all(model.occupant[x.place] is x for x in people)
    assert sum(x is not None for x in model.occupant) == len(people)
    places = [x.place for x in people]
    for name in ("months_in_district", "member_of", "is_active"):
        assert [getattr(x, name) for x in people] == getattr(r, name)[places].tolist(), name
    population = model.recorder.data["population"][2].sum() * model.scale
    assert population == pytest.approx(len(people)), "the records count the agents"


def test_a_reference_run_is_reproducible_from_its_seed():
    runs = []
    for _ in range(2):
        model = ReferenceModel(small_scenario(4), seed=7)
        for _ in range(4):
            model.step()
        runs.append(model.recorder.districts_frame())
    assert runs[0].equals(runs[1]), "the same seed must give the same records"


def calls(method) -> list[str]:
    """Return the functions ``method`` calls, in source order."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    found = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return [ast.unparse(n.func) for n in sorted(found, key=lambda n: (n.lineno, n.col_offset))]


def test_the_reference_runs_the_engines_ledger_with_the_resident_halves_replaced():
    replaced = {
        "communication.step": "communication.update_districts",
        "mobilisation.step": None,  # Resident.step
        "associations.step": "associations.run_associations",
        "migration.step": "self.migrate",
    }
    expected = [replaced.get(c, c) for c in calls(DistrictModel.step)]
    expected = [c for c in expected if c is not None]
    phases = [c for c in calls(ReferenceModel.step) if c in expected]
    assert phases == expected, (
        "DistrictModel.step's phases changed: ReferenceModel.step must run the same ledger "
        f"(expected {expected}, found {phases})"
    )


def test_hear_follows_the_reach_formula(model):
    person = model.people[0]
    others = [model.occupant[p] for p in model.ties.partners[person.place].tolist()]
    for other in others:
        if other is not None:
            other.was_active = True
    n = sum(other is not None for other in others)
    q = model.params.communication.q_tie
    p = 1 - (1 - 0.2) * (1 - q) ** n
    person.hear(0.2, Fixed(p - 1e-9))
    assert person.is_reached and (person.n_active_ties, person.n_occupied_ties) == (n, n)
    person.hear(0.2, Fixed(p + 1e-9))
    assert not person.is_reached, f"reached with p = {p} only below a uniform of {p}"


def test_take_part_follows_the_threshold_rule(model):
    m = model.params.mobilisation
    person = model.people[0]
    person.is_reached, person.n_active_ties, person.n_occupied_ties = True, 2, 8
    person.engagement, person.months_in_district, person.theta = 0.5, 30, 1.0
    person.orientation = 0.3
    motivation = m.a_identity * 0.4 + m.a_engagement * 0.5 + m.a_tenure * 30 / m.attachment_months
    z = (motivation + m.b_social * 2 / 8 + m.b_event * (1 - 0.4) - 1.0) / m.tau
    p = 1 / (1 + math.exp(-z))
    person.take_part(0.4, 0.7, Fixed(p - 1e-9))
    assert person.is_active
    person.take_part(0.4, 0.7, Fixed(p + 1e-9))
    assert not person.is_active
    person.is_reached = False
    person.take_part(0.4, 0.7, Fixed(0.0))
    assert not person.is_active, "a resident who is not reached does not take part"


def test_membership_exit_join_and_the_choice_of_association(model):
    a = model.params.associations
    person = model.people[0]
    person.member_of, person.is_active, person.is_reached = 0, False, False
    person.update_membership(Fixed(model.rates.p_member_exit - 1e-9))
    assert person.member_of == -1, "a member leaves below the exit probability"
    person.is_active, person.is_reached, person.engagement = True, True, 0.5
    p_join = a.p_join_per_month + a.p_join_reached_per_month * 0.5
    person.update_membership(Fixed(p_join + 1e-9))
    assert person.member_of == -1
    options = model.district_associations[person.district]
    w = [
        x.join_weight * x.eligible[person.tenure] * (1 - abs(person.orientation - x.orientation))
        for x in options
    ]
    # The uniform after the join draw picks the association: just past the first two weights.
    u = (w[0] + w[1] + 1e-9) / sum(w)
    person.update_membership(Fixed(p_join - 1e-9, u))
    assert person.member_of == options[2].slot


def test_move_out_hazard_and_its_causes(model):
    mig = model.params.migration
    market = model.market()
    person = next(x for x in model.people if x.tenure == 1)  # a private renter
    person.months_in_district, person.price_ref_eur_m2, person.income_eur = 30, 4000.0, 15000.0
    d = person.district
    h = model.params.housing
    burden = h.m2_per_person * h.rent_yield_per_year * market.price[d] / 15000.0
    base = float(model.rates.h0[1]) * math.exp(
        -mig.alpha_attachment * (30 / 60 - 0.5) - mig.alpha_identity * (market.identity[d] - 0.5)
    )
    with_l = base * math.exp(mig.alpha_liveability * market.liveability_gap[d])
    total = with_l * math.exp(mig.alpha_burden * max(0.0, burden - mig.burden_cap))
    assert person.move_out_hazard(market) == pytest.approx((base, with_l, total))
    p_move = 1 - math.exp(-total)
    assert not person.decide_move(market, Fixed(p_move + 1e-9))
    shares = [min(base, with_l), max(with_l - base, 0), total - with_l]
    burden_u = (shares[0] + shares[1]) / sum(shares) + 1e-9
    assert person.decide_move(market, Fixed(p_move - 1e-9, burden_u, 0.0))
    assert (person.move_cause, person.leaves_city) == ("burden", True)


def test_the_utility_of_a_district_by_hand(model):
    a = model.params.attractiveness
    pop = model.params.population
    market = model.market()
    person = model.people[0]
    person.income_eur, person.engagement, person.orientation = 30000.0, 0.4, 0.6
    person.value_districts(market, searching=True)
    g = 1 - a.reputation_engagement + a.reputation_engagement * 0.4 / (2 / 7)
    centre = sum(market.log_mean_income) / 2
    for d in range(2):
        u = (
            a.b_reputation * g * market.reputation[d]
            + a.b_liveability * market.liveability[d]
            - a.b_price * model.rates.cost_per_eur_m2 * market.price[d] / 30000
            + a.b_future * 0.6 * market.creative[d]
            + market.constant[d]
            + a.b_income_homophily
            * (math.log(30000) - centre)
            * (market.log_mean_income[d] - centre)
            + a.b_near  # both districts of two_districts are near: own and adjacent
        )
        assert person.utilities[d] == pytest.approx(u), f"district {d}"
    assert (pop.engagement_a, pop.engagement_b) == (2.0, 5.0), "the mean engagement 2/7 above"


def test_a_move_within_keeps_months_and_membership_a_move_away_loses_them(model):
    bonus = model.params.population.owner_engagement_bonus
    free = model.vacant_places(0)
    person = next(x for x in model.people if x.tenure == 0 and x.district == 0)  # an owner
    person.months_in_district, person.member_of, person.engagement = 40, 0, 0.5
    owner_place = next(p for p in free[0] if model.place_tenure[p] == 0)
    person.move_to(owner_place, 4000.0)
    assert (person.months_in_district, person.member_of) == (40, 0)
    assert person.engagement == pytest.approx(0.5), "an owner stays an owner: same bonus"
    private_place = next(p for p in free[1] if model.place_tenure[p] == 1)
    person.move_to(private_place, 4200.0)
    assert (person.district, person.months_in_district, person.member_of) == (1, 0, -1)
    assert person.engagement == pytest.approx(0.5 - bonus), "the owner bonus stays with the place"
    assert (person.price_ref_eur_m2, person.is_active) == (4200.0, False)
    assert model.occupant[private_place] is person and model.occupant[owner_place] is None


def test_location_choice_only_where_there_is_room_and_capacity_rounds(model):
    person = model.people[0]
    person.value_districts(model.market(), searching=True)
    assert person.choose_district([0, 3], Fixed()) == 1
    person.utilities = [5.0, 0.0]
    assert person.choose_district([1, 1], Fixed()) == 0
    assert person.choose_district([1, 1000], Fixed()) == 1, "the size term is ln(room left)"
    choosers = model.people[:6]
    for x in choosers:
        x.utilities = [10.0, 0.0]
    chosen, first = model.allocate(choosers, [2, 10], np.random.default_rng(1))
    assert first == [6, 0], "everyone's first choice is district 0"
    assert sorted(chosen.values()) == [0, 0, 1, 1, 1, 1], "2 accepted; the rest choose again"


# Docking ---------------------------------------------------------------------------------


def test_holm_correction_by_hand():
    adjusted = holm(np.array([0.01, 0.04, 0.03, 0.5]))
    assert adjusted == pytest.approx([0.04, 0.09, 0.09, 0.5])


@pytest.fixture(scope="module")
def engine_runs() -> np.ndarray:
    return replicates(DistrictModel, SEEDS)


def test_the_reference_docks_with_the_engine(engine_runs):
    p = docking_pvalues(engine_runs, replicates(ReferenceModel, SEEDS))
    assert min(p.values()) > ALPHA, f"an output differs between engine and reference: {p}"


@pytest.mark.parametrize("name", ["no_burden", "active_join_only"])
def test_a_changed_rule_fails_the_docking(engine_runs, name):
    mutant = next(m for m in MUTANTS if m.name == name)
    p = docking_pvalues(engine_runs, replicates(mutant.model_class, SEEDS))
    assert p[mutant.output] < ALPHA, f"{name} not detected in {mutant.output}: {p}"
