from districtsim.model import DistrictModel
from districtsim.run import run_scenario


def test_model_steps(two_districts):
    model = DistrictModel(two_districts)
    for _ in range(3):
        model.step()
    assert model.month == 3
    assert model.recorder.n_recorded == 3


def test_run_tables_have_rows(two_districts):
    result = run_scenario(two_districts)
    assert len(result.districts) == two_districts.months * 2
    assert len(result.city) == two_districts.months
