"""The dashboard without a browser: its model and controls, its views, and its page.

The page is rendered by Solara's test rendering.

The real-browser test (headless Chromium, a running server) is in tests/test_browser.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from districtsim.criteria import score
from districtsim.dashboard import views
from districtsim.dashboard.model import STUDENT_PARAMS, DashboardModel, declaration, model_params
from districtsim.outputs import column
from districtsim.run import EVENT_COLUMNS, run_scenario
from districtsim.scenario import bundled_scenarios, load_scenario

# ------------------------------------------------------------------ controls


def test_controls_are_generated_from_the_declarations_with_the_scenarios_values() -> None:
    scen = load_scenario("innovation_call")
    controls = model_params("innovation_call")
    assert controls["scenario_name"] == "innovation_call"
    assert controls["seed"]["value"] == str(scen.seed)
    assert controls["scale"]["value"] == scen.scale
    assert controls["program.enabled"] == {
        "type": "Checkbox",
        "value": True,
        "label": "program.enabled (on/off)",
        "meaning": declaration("program.enabled").metadata["meaning"],
    }, "the scenario switches the program on: so must the control"
    for key, _, _ in STUDENT_PARAMS:
        section, name = key.split(".")
        f = declaration(key)
        c = controls[key]
        assert c["value"] == getattr(getattr(scen.params, section), name), key
        assert f.metadata["meaning"] and c["meaning"] == f.metadata["meaning"], (
            f"{key}: a student's parameter has a one-line meaning in its declaration"
        )
        if c["type"] in ("SliderFloat", "SliderInt"):
            assert f.metadata["unit"] in c["label"], f"{key}: the label names the unit"
            assert f.metadata["lo"] is None or c["min"] >= f.metadata["lo"], (
                f"{key}: slider below the declared range"
            )
            assert f.metadata["hi"] is None or c["max"] <= f.metadata["hi"], (
                f"{key}: slider above the declared range"
            )
            assert c["min"] <= c["value"] <= c["max"] and c["step"] > 0, key
        if c["type"] == "Select":
            assert c["values"] == f.metadata["unit"].split("|"), key
    with pytest.raises(Exception, match="section.key"):
        declaration("mobilisation.nonsense")


def test_each_intervention_of_the_scenario_gets_a_switch_and_one_can_be_added() -> None:
    controls = model_params("resident_houses")
    assert (
        controls["intervention.0"]["type"] == "Checkbox"
        and "meeting_place" in controls["intervention.0"]["label"]
    )
    names = [d.name for d in load_scenario("resident_houses").districts]
    assert controls["add.target"]["values"][3:] == names
    assert controls["add.start_month"]["max"] == 239


def test_the_dashboard_model_is_the_model_that_run_scenario_runs() -> None:
    """Same scenario, settings and seed: the dashboard's months are the CLI's, bit for bit."""
    m = DashboardModel(
        "two_districts",
        seed="5",
        scale=0.02,
        **{"mobilisation.b_social": 0.5, "program.enabled": True},
    )
    assert m.notices == []
    for _ in range(m.horizon):
        m.step()
    m.step()  # after the horizon: no-op
    assert not m.running and m.month == m.horizon
    ref = run_scenario(
        load_scenario(
            "two_districts",
            ["scenario.scale=0.02", "mobilisation.b_social=0.5", "program.enabled=true"],
        ),
        seed=5,
    )
    pd.testing.assert_frame_equal(m.recorder.districts_frame(), ref.districts)
    events = pd.DataFrame(m.event_log, columns=EVENT_COLUMNS).astype(
        {"month": np.int32, "value": float}
    )
    pd.testing.assert_frame_equal(events, ref.events)


def test_unusable_control_values_become_notices_not_errors() -> None:
    m = DashboardModel(
        "two_districts",
        seed="abc",
        scale=0.02,
        **{"associations.omega_per_year": 5.0, "program.state_share": 0.9},
    )
    scen = load_scenario("two_districts")
    assert m.seed == scen.seed
    assert any("seed" in n and "abc" in n for n in m.notices)
    assert any("associations.omega_per_year" in n and "0.999" in n for n in m.notices), m.notices
    assert any("state_share" in n for n in m.notices), m.notices
    assert m.params.associations.omega_per_year == scen.params.associations.omega_per_year


def test_switching_an_intervention_off_and_adding_one() -> None:
    off = DashboardModel("resident_houses", scale=0.01, **{"intervention.0": False})
    assert off.config.interventions == ()
    base = DashboardModel("resident_houses", scale=0.01)
    target = base.names[3]
    m = DashboardModel(
        "resident_houses",
        scale=0.01,
        **{
            "intervention.0": False,
            "add.type": "meeting_place",
            "add.target": target,
            "add.start_month": 2,
        },
    )
    d = m.names.index(target)
    before = int(m.districts.meeting_places[d])
    for _ in range(3):
        m.step()
    assert int(m.districts.meeting_places[d]) == before + 1
    starts = [e for e in m.event_log if e["event"] == "intervention_start"]
    assert [(e["month"], e["district"]) for e in starts] == [(2, target)]


# --------------------------------------------------------------------- views


@pytest.fixture(scope="module")
def stepped() -> DashboardModel:
    """Two districts with the program on, 14 months in (one program year evaluated)."""
    m = DashboardModel("two_districts", seed=2, scale=0.05, **{"program.enabled": True})
    for _ in range(14):
        m.step()
    return m


def test_every_view_draws_the_current_state(stepped: DashboardModel) -> None:
    m = stepped
    for variable in ("mode", "reputation", "price_eur_m2", "association_orientation"):
        fig = views.map_figure(m, variable)
        assert len(fig.data) >= 2, variable
    colours = views.map_figure(m, "reputation").data[-1].marker.color
    np.testing.assert_allclose(colours, m.districts.reputation)
    series = views.series_figure(m, "identity", ["Traditional"])
    assert [t.name for t in series.data] == ["Traditional", "city: population-weighted mean"]
    assert len(series.data[0].y) == 14 and series.data[0].y[-1] == pytest.approx(
        m.districts.identity[0]
    )
    counts = views.series_figure(m, "active_persons", ["Creative"])
    assert counts.data[-1].name == "city: mean over districts"
    fig = views.ties_figure(m, views.TieSample(m, 1))
    assert sum(int(t.name.split("(")[-1].rstrip(")")) for t in fig.data[1:]) == 60
    assert views.status(m) == (
        "two_districts: month 13 (Nov, year 1) simulated; 14 of 240 months simulated"
    )


def test_views_before_the_first_month_say_so() -> None:
    m = DashboardModel("two_districts", scale=0.02)
    assert (
        "No month simulated yet"
        in views.series_figure(m, "identity", ["Creative"]).layout.title.text
    )
    assert "No program year has ended yet" in views.criteria_figure(m).layout.title.text
    np.testing.assert_allclose(views.current_values(m, "reputation"), m.districts.reputation)
    assert np.isnan(views.current_values(m, "innovations")).all()
    assert views.events_rows(m) == []


def test_criteria_view_shows_what_the_funder_scores(stepped: DashboardModel) -> None:
    m = stepped
    fig = views.criteria_figure(m)
    heat = fig.data[0]
    z = np.asarray(heat.z)
    assert z.shape == (m.n_districts, 8) and list(heat.x)[-1] == "weighted score"
    order = [m.names.index(n) for n in heat.y]
    np.testing.assert_allclose(z[:, -1], score(m.criteria_rows[-1], m.params.program)[order])
    assert "program year 0" in fig.layout.title.text, "year 0 (months 0-11) is the last ended"


def test_events_feed_is_newest_first_and_filtered(stepped: DashboardModel) -> None:
    rows = views.events_rows(stepped, list(views.EVENT_KINDS), limit=1000)
    assert len(rows) == len([e for e in stepped.event_log if e["event"] in views.EVENT_KINDS])
    months = [e["month"] for e in reversed(stepped.event_log)]
    assert months == sorted(months, reverse=True)
    only = views.events_rows(stepped, ["selection"], limit=1000)
    assert only and {r["event"] for r in only} == {"selection"}
    assert all("grant" in r["detail"] and "EUR/year" in r["detail"] for r in only)
    assert set(views.EVENT_KINDS_SHOWN) <= set(views.EVENT_KINDS)


def test_dashboard_numbers_months_and_years_as_the_tables_do(stepped: DashboardModel) -> None:
    """Issue 17, point 5: one numbering. The status names the last recorded month, the feed
    dates events by the events table's month, the series' x values are the month column, the
    criteria's program year is the criteria table's, and the docs' status example holds."""
    from pathlib import Path

    m = stepped
    last = int(m.recorder.districts_frame()["month"].max())
    assert last == m.month - 1 == 13
    assert f"month {last} (Nov, year 1) simulated" in views.status(m)
    events = m.event_log
    assert events, "the stepped model logged events"
    rows = views.events_rows(m, list(views.EVENT_KINDS), limit=1)
    newest = events[-1]
    assert rows[0]["when"] == views.month_label(newest["month"])
    assert rows[0]["when"].startswith(f"month {newest['month']} (")
    assert views.month_label(0) == "month 0 (Oct, year 0)"
    assert views.month_label(239) == "month 239 (Sep, year 19)"
    series = views.series_figure(m, "identity", ["Traditional"])
    assert list(series.data[0].x) == list(range(m.month))
    crit = views.criteria_figure(m).layout.title.text
    assert f"program year {int(m.criteria_table()['program_year'].max())}<" in crit
    five = DashboardModel("two_districts", scale=0.02)
    for _ in range(5):
        five.step()
    example = views.status(five).removeprefix("two_districts: ")
    for name in ("dashboard.md", "outputs.md"):
        doc = Path(__file__).parents[1] / "docs" / name
        text = " ".join(doc.read_text(encoding="utf-8").split())
        assert f'"{example}"' in text, f"docs/{name} should quote the status {example!r}"


def test_tie_sample_stays_in_its_district_and_shows_real_ties(stepped: DashboardModel) -> None:
    m = stepped
    sample = views.TieSample(m, 0, size=40)
    lo, hi = m.block_start[0], m.block_start[1]
    assert len(sample.nodes) == 40 and ((sample.nodes >= lo) & (sample.nodes < hi)).all()
    for i, j in sample.edges(m):
        a, b = sample.nodes[i], sample.nodes[j]
        assert b in m.ties.partners[a] or a in m.ties.partners[b]


def test_participation_curve_predicts_next_months_participation() -> None:
    """The mean-field curve matches the simulated participation.

    The curve is taken at last month's participation (and this month's event).

    Over 47 months of 3 seeds, per district: mean predicted and mean simulated
    participation agree within 12% and are strongly correlated month to month.
    """
    for seed in (1, 2, 3):
        m = DashboardModel("two_districts", seed=seed, scale=0.1)
        pred, act = [], []
        for t in range(48):
            if t > 0:
                last = m.districts.participation.copy()
                event = [
                    any(x.event_next_month for x in m.all_associations if x.district == d)
                    for d in range(2)
                ]
                pred.append(
                    [
                        views.participation_curve(m, d, np.array([last[d]]), event=event[d])[0]
                        for d in range(2)
                    ]
                )
            m.step()
            if t > 0:
                act.append(m.districts.participation.copy())
        pred, act = np.array(pred), np.array(act)
        np.testing.assert_allclose(
            pred.mean(axis=0), act.mean(axis=0), rtol=0.12, err_msg=f"seed {seed}"
        )
        for d in range(2):
            assert np.corrcoef(pred[:, d], act[:, d])[0, 1] > 0.8, f"seed {seed}, district {d}"


def test_participation_curve_shape() -> None:
    m = DashboardModel("two_districts", seed=1, scale=0.05)
    s = np.linspace(0, 1, 21)
    curve = views.participation_curve(m, 0, s)
    assert ((curve >= 0) & (curve <= 1)).all() and (np.diff(curve) > 0).all(), (
        "more active ties: more reached and more motivated"
    )
    assert (views.participation_curve(m, 0, s, event=True) >= curve).all(), (
        "an event month adds reach and pull"
    )
    flat = DashboardModel(
        "two_districts",
        seed=1,
        scale=0.05,
        **{"mobilisation.b_social": 0.0, "communication.q_tie": 0.0},
    )
    assert np.ptp(views.participation_curve(flat, 0, s)) < 1e-6, (
        "without word of mouth and social pull, others' activity does not matter"
    )


# -------------------------------------------------------- the page (Solara)


solara = pytest.importorskip("solara")


@pytest.fixture
def page():
    """Render the dashboard page for two_districts at a small scale.

    The page is rendered in Solara's AppLayout, as the server does.
    """
    import ipyvuetify as v

    from districtsim.dashboard import app

    app.scenario_name.set("two_districts")
    app.series_districts.set([])
    app.focus_district.set(None)
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    slider = rc.find(v.Slider, label="scale [simulated share of residents]").widget
    slider.v_model = 0.02
    rc.find(v.Btn, children=["Reset"]).widget.click()
    yield rc, v
    rc.close()


def _html(rc) -> str:
    """Return the inner HTML of every solara.HTML element on the page.

    These are the run view and the events feed.
    """
    return "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def _status(rc, v) -> str:
    return next(line for line in _html(rc).split("</p>") if "districtsim-status" in line)


def _figures(rc) -> dict[str, object]:
    from plotly.graph_objs._figurewidget import FigureWidget

    return {w.layout.title.text: w for w in rc.find(FigureWidget).widgets}


def test_charts_drop_the_browsers_report_on_traces_a_redraw_replaced() -> None:
    """plotly's FigureWidget raises in the server when the browser reports on traces that a
    redraw has meanwhile replaced (seen in CI during Play); the dashboard's charts drop such a
    stale report and still apply a current one."""
    import plotly.graph_objects as go
    from plotly.graph_objs._figurewidget import FigureWidget

    from districtsim.dashboard import app

    def report(widget, uid: str, **delta) -> None:
        widget._js2py_traceDeltas = {
            "trace_deltas": [{"uid": uid, **delta}],
            "trace_edit_id": widget._last_trace_edit_id,
        }

    plain = FigureWidget(data=[go.Scatter(x=[0, 1], y=[1, 2])])
    with pytest.raises(ValueError):
        report(plain, "replaced")
    chart = app._ResponsiveFigure(data=[go.Scatter(x=[0, 1], y=[1, 2])])
    report(chart, "replaced")
    assert not chart._trace_edit_in_process and chart._js2py_traceDeltas is None
    seen = []
    chart.data[0].on_change(lambda trace, name: seen.append(name), "name")
    report(chart, chart.data[0].uid, name="applied")
    assert seen == ["applied"], "a current report reaches the trace's callbacks"


def test_page_renders_steps_and_redraws(page) -> None:
    rc, v = page
    assert "initial state, 0 of 240 months simulated" in _status(rc, v)
    assert "scale 0.02" in _status(rc, v)
    assert "<p><b>Interventions in effect:</b> none</p>" in _html(rc), (
        "two_districts has no interventions: the run view says so"
    )
    figs = _figures(rc)
    assert len(figs) == 5, list(figs)
    series = next(f for t, f in figs.items() if t.startswith("reputation"))
    assert len(series.data) == 0, "no month yet: an empty series"
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):
        step.click()
    assert "month 2 (Dec, year 0) simulated; 3 of 240 months simulated" in _status(rc, v)
    figs = _figures(rc)
    series = next(f for t, f in figs.items() if t.startswith("reputation"))
    assert len(series.data[0].y) == 3, "the series grew by one point a month"


def test_a_step_redraws_the_page_in_one_render_pass(page, monkeypatch) -> None:
    """Each component that reads Mesa's update counter is a listener of its own, and Solara
    rendered the page once per listener: nine passes a month. The controller batches them."""
    rc, v = page
    passes = []
    render = type(rc).render

    def counted(self, *args, **kwargs):
        passes.append(1)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(type(rc), "render", counted)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "1 of 240 months simulated" in _status(rc, v)
    assert len(passes) == 1, f"expected one render pass for a Step, got {len(passes)}"


def test_page_slider_and_reset_make_a_model_with_that_value(page) -> None:
    rc, v = page
    slider = rc.find(
        v.Slider, label="mobilisation.b_social [motivation per share of active ties]"
    ).widget
    slider.v_model = 0.6
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert (
        "<td style='padding:2px 8px'>mobilisation.b_social</td><td style='padding:2px 8px'>0.6</td>"
        in _html(rc)
    )


def test_page_shows_a_bad_seed_as_a_notice(page) -> None:
    rc, v = page
    field = rc.find(v.TextField, label="seed (integer)").widget
    field.v_model = "twelve"
    field.fire_event("keyup.enter", None)  # the text is taken on Enter or leaving the field
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert "seed: &#x27;twelve&#x27; is not a whole number" in _html(rc)


def test_page_scenario_chooser_builds_the_other_scenario(page) -> None:
    rc, v = page
    rc.find(
        v.Select, label="scenario (a new model; the controls take its values)"
    ).widget.v_model = "resident_houses"
    text = _html(rc)
    assert "resident_houses: initial state, 0 of 240 months simulated" in text
    assert "interventions[0] meeting_place (select traditional)" in text
    assert (
        rc.find(
            v.Checkbox,
            label="interventions[0] meeting_place (select traditional), month 0 to the end",
        ).widget.v_model
        is True
    )


def test_students_params_cover_the_program_and_the_threshold_dynamics() -> None:
    keys = [k for k, _, _ in STUDENT_PARAMS]
    assert {
        "program.enabled",
        "program.budget_eur_per_year",
        "program.allocation",
        "mobilisation.theta_mean",
        "mobilisation.b_social",
    } <= set(keys)
    assert len(keys) == len(set(keys))
    for k in keys:
        declaration(k)  # each still names a declared parameter (a rename would fail here)


# ------------------------------------------------------------------- the CLI


def test_cli_dashboard_reports_mistakes_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from districtsim.cli import main

    assert main(["dashboard", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(
            "districtsim: nosuch: found missing; expected an existing scenario file or a "
            "bundled name"
        )
        and "Traceback" not in err
    )
    assert main(["dashboard", "two_districts", "--port", "0"]) == 2
    assert "--port: found 0; expected a port number, 1-65535" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "two_districts", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert (
        f"--port: found {port}; expected a free port on 127.0.0.1 (another program uses "
        f"{port}; try --port {port + 1})" in err
    )


def test_page_runs_a_scenario_file_given_by_path(tmp_path, monkeypatch) -> None:
    import ipyvuetify as v

    from districtsim.dashboard import app

    path = tmp_path / "mine.toml"
    path.write_text(
        '[scenario]\nbase = "two_districts"\nname = "mine"\nscale = 0.02\n', encoding="utf-8"
    )
    app.scenario_name.set(str(path))
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        chooser = rc.find(
            v.Select, label="scenario (a new model; the controls take its values)"
        ).widget
        assert chooser.v_model == str(path) and chooser.items[0] == str(path)
        assert "mine: initial state, 0 of 240 months simulated" in _status(rc, v)
    finally:
        rc.close()
        app.scenario_name.set("helsinki")


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_opens_in_the_dashboard(name: str) -> None:
    """Controls generate, the model builds at a small scale, steps, and every view draws."""
    controls = model_params(name)
    assert controls["scenario_name"] == name
    m = DashboardModel(name, scale=0.01)
    assert m.notices == []
    m.step()
    d = m.names[0]
    for fig in (
        views.map_figure(m, "mode"),
        views.map_figure(m, "identity"),
        views.series_figure(m, "identity", [d]),
        views.participation_figure(m, d),
        views.criteria_figure(m),
        views.ties_figure(m, views.TieSample(m, 0)),
    ):
        assert fig.layout.title.text
    assert views.status(m).startswith(f"{m.config.name}: month 0 (Oct, year 0) simulated; 1 of")


def test_map_colours_bounded_quantities_over_their_whole_range() -> None:
    """Reputation (0..1) keeps 0..1 however close the districts are; a price is fitted, and
    the map says which."""
    model = DashboardModel("two_districts", scale=0.02)
    model.step()
    rep = views.map_figure(model, "reputation")
    marker = rep.data[-1].marker
    assert (marker.cmin, marker.cmax) == (0.0, 1.0), "a 0..1 index keeps its whole range"
    assert "over its range 0..1" in rep.layout.title.text
    price = views.map_figure(model, "price_eur_m2")
    assert price.data[-1].marker.cmin is None, "an unbounded quantity is fitted to its values"
    assert "fitted to this month" in price.layout.title.text
    assert views.colour_range("n_channels") == (0.0, 4.0)
    assert views.colour_range("no_such_column") is None


def test_variable_menus_are_grouped_and_name_each_column_in_plain_words() -> None:
    """Every map variable once, under a group header, as description [unit] · column name."""
    names = list(views.MAP_VARIABLES)
    items = views.variable_items(names)
    values = [i["value"] for i in items if "value" in i]
    assert sorted(values) == sorted(names), "each variable exactly once"
    headers = [i["header"] for i in items if "header" in i]
    assert "Other" not in headers and len(headers) == len(set(headers)) >= 6, headers
    for i in items:
        if "value" in i and i["value"] != "mode":
            col = column("district", i["value"])
            assert i["text"].startswith(col.description) and i["text"].endswith(i["value"])
            assert col.unit in i["text"], f"{i['value']}: the unit is named"
    label = views.variable_label("moves_out_burden_private_persons")
    assert "housing burden" in label and "private renters" in label, label
