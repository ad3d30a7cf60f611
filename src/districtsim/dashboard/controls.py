"""The dashboard's parameter controls: each shows its value, takes a typed one, and says what it is.

Mesa's ``SolaraViz`` draws a model's controls with its ``UserInputs`` (a slider shows its value
only while it is dragged). :func:`UserInputs` here draws the same controls from the same
``model_params`` (:func:`districtsim.dashboard.model.model_params`) so that

- a number field beside each slider shows its value (with the unit) and accepts a typed value
  within the slider's range, shown under it (a value outside is refused, with the range, and
  nothing changes);
- the parameter's one-line meaning (its declaration's ``meaning``,
  :func:`districtsim.params.param`) is shown when the pointer rests on the ``(?)`` above the
  control.

:func:`install` puts it in place of Mesa's (``districtsim.dashboard.app`` calls it at import);
as in Mesa, a change takes effect on *Reset*.
"""

from __future__ import annotations

import html
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import reacton
import solara
import solara.lab
from mesa.visualization import solara_viz
from mesa.visualization.utils import force_update, update_counter

from districtsim.dashboard.views import status

CONTROL_CLASS = "districtsim-control"
"""CSS class of each control's box (the browser tests find controls by it)."""


def _fmt(value: float) -> str:
    return f"{value:g}"


@solara.component
def NumberControl(name: str, options: dict[str, Any], on_change: Callable[[str, Any], None]):
    """A slider and a number field that shows its value and takes a typed one.

    ``options`` is a ``SliderFloat`` or ``SliderInt`` control of ``model_params`` (``value``,
    ``min``, ``max``, ``step``, ``label``, and ``unit``/``meaning`` where declared).
    """
    is_int = options.get("type") == "SliderInt"
    value = solara.use_reactive(options["value"])
    problem = solara.use_reactive("")
    lo, hi = options["min"], options["max"]

    def set_value(new: float | int | None) -> None:
        if new is None:
            return
        if not lo <= new <= hi:
            problem.set(f"{_fmt(new)} is outside {_fmt(lo)} .. {_fmt(hi)}: not used")
            return
        problem.set("")
        new = int(new) if is_int else float(new)
        value.set(new)
        on_change(name, new)

    slider = solara.SliderInt if is_int else solara.SliderFloat
    field = solara.InputInt if is_int else solara.InputFloat
    with solara.Column(gap="0px", classes=[CONTROL_CLASS]) as main:
        Help(options.get("meaning"))
        with solara.Row(gap="8px", style={"align-items": "flex-end"}):
            with solara.Column(style={"flex": "1 1 0", "width": "0", "min-width": "0"}):
                slider(
                    options["label"],
                    value=value.value,
                    on_value=set_value,
                    min=lo,
                    max=hi,
                    step=options["step"],
                    thumb_label=False,  # the field beside shows the value
                )
            with solara.Column(style={"flex": "0 0 7.5em"}):
                field(
                    "value",
                    value=value.value,
                    on_value=set_value,
                    suffix=options.get("unit") if len(options.get("unit") or "") <= 8 else None,
                    dense=True,
                    hide_details=True,
                    classes=["districtsim-value"],
                )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<small style='color:#b35900'>{html.escape(problem.value)}</small>"
                if problem.value
                else f"<small style='color:#777'>type a value in {_fmt(lo)} .. {_fmt(hi)}</small>"
            ),
        )
    return main


def HoverHelp(text: str, label: str, css_class: str) -> None:
    """``(?) label``, which shows ``text`` when the pointer rests on it (a title)."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<small class='{css_class}' title='{html.escape(text, quote=True)}' "
            "style='cursor:help;color:#1565c0;display:block;margin-bottom:4px'>"
            f"(?) {html.escape(label)}</small>"
        ),
    )


def Help(meaning: str | None) -> None:
    """The parameter's one-line meaning, if declared, on ``(?) what it does``."""
    if meaning:
        HoverHelp(meaning, "what it does", "districtsim-help")


@solara.component
def OtherControl(name: str, options: dict[str, Any], on_change: Callable[[str, Any], None]):
    """A switch, a choice or a text field, as Mesa draws it, with its meaning."""
    input_type = options.get("type")

    def changed(value: Any) -> None:
        on_change(name, value)

    label = options.get("label", name)
    with solara.Column(gap="0px", classes=[CONTROL_CLASS]) as main:
        Help(options.get("meaning"))
        if input_type == "Select":
            solara.Select(
                label, value=options.get("value"), on_value=changed, values=options["values"]
            )
        elif input_type == "Checkbox":
            solara.Checkbox(label=label, value=options.get("value"), on_value=changed)
        elif input_type == "InputText":
            solara.InputText(label=label, value=options.get("value"), on_value=changed)
        else:
            raise ValueError(f"{input_type} is not a supported input type")
    return main


def UserInputs(user_params: dict[str, Any], on_change: Callable[[str, Any], None] | None = None):
    """Draw ``user_params`` (SolaraViz's ``model_params`` controls) in place of Mesa's."""
    for name, options in user_params.items():
        if options.get("type") in ("SliderFloat", "SliderInt"):
            NumberControl(name, options, on_change).key(name)
        else:
            OtherControl(name, options, on_change).key(name)


CSS = (
    "\n.v-tabs:not(:has(.v-tab ~ .v-tab)) { display: none; }\n"
    ".v-slider__thumb-label-container { display: block !important; }\n"
    ".v-input__slider .v-slider { margin-top: 34px; }\n"
    f".{CONTROL_CLASS} .v-input__slider .v-slider {{ margin-top: 0; }}\n"
    ".districtsim-view > .v-input { flex: 0 0 auto; }\n"
    ".districtsim-view { padding-top: 10px; }\n"
)
"""Page style: no tab bar for the one page of views (Mesa labels it "Page 0"); the value of
Mesa's own sliders (Play Interval, Render Interval) always on the knob, with room above it
(the parameter controls show theirs in a field instead); a menu in a view takes its own
height (Vuetify's inputs grow to fill a column, which left a gap under the events' menu)."""


REDRAW_WAIT_S = 30.0
"""Longest wait for the views to finish drawing a month before Play moves on anyway."""
PAUSE_AT_LEAST_MS = 20
"""Play's shortest pause between a redraw and the next month: the page's own messages get
handled (without any pause Solara sees the state change during every render pass)."""


@solara.component
def ModelController(
    model: solara.Reactive[Any],
    *,
    renderer: Any = None,
    model_parameters: dict | solara.Reactive[dict] | None = None,
    play_interval: int | solara.Reactive[int] = 1,
    render_interval: int | solara.Reactive[int] = 1,
    use_threads: bool | solara.Reactive[bool] = False,
):
    """Reset, Play/Pause and Step, as Mesa's ``ModelController``, with two differences.

    - **Step** advances one month, whatever the *Render Interval*.
    - **Play** advances *Render Interval* months, asks the views to redraw and waits until
      they have (the model never moves while a view reads it), then pauses *Play Interval*
      ms (at least :data:`PAUSE_AT_LEAST_MS`). Mesa's own loop steps on while the views
      still draw, so with a short interval a view could read a half-updated month and fail.
      *Use Threads* changes nothing here.
    """
    playing = solara.use_reactive(False)
    running = solara.use_reactive(True)
    parameters = solara.use_reactive(model_parameters if model_parameters is not None else {})
    error_message = solara.use_reactive(None)
    drawn = solara.use_memo(threading.Event, [])
    play_ms = solara.use_reactive(play_interval)
    per_redraw = solara.use_reactive(render_interval)
    update_counter.get()  # this component redraws with the views ...
    solara.use_effect(drawn.set, None)  # ... and so marks the end of each redraw
    # Every component that reads Mesa's update counter is its own listener, and Solara
    # renders the page once per listener (nine passes a month); inside the render context
    # the passes are batched into one.
    batch = reacton.core.get_render_context()

    def advance(months: int) -> None:
        for _ in range(months):
            model.value.step()
            running.value = model.value.running
            if not running.value:
                break

    def redraw() -> None:
        """Redraw every view once (one render pass at the end of the batch)."""
        with batch:
            force_update()

    def play() -> None:
        try:
            while running.value and playing.value:
                advance(max(1, int(per_redraw.value)))
                drawn.clear()
                redraw()
                drawn.wait(REDRAW_WAIT_S)
                time.sleep(max(PAUSE_AT_LEAST_MS, int(play_ms.value)) / 1000)
        except Exception as e:  # shown on the page, as Mesa does
            error_message.value = f"error in step: {e}"
            traceback.print_exc()

    solara.lab.use_task(play, dependencies=[playing.value, running.value], prefer_threaded=True)

    def do_step() -> None:
        advance(1)
        redraw()

    def do_reset() -> None:
        error_message.set(None)
        playing.value = False
        running.value = True
        kwargs = solara_viz._build_model_init_kwargs(
            model.value,
            parameters.value,
            add_scenario_when_empty=True,
            require_model_accepts_scenario=True,
        )
        model.value = type(model.value)(**kwargs)

    def do_play_pause() -> None:
        playing.value = not playing.value

    with solara.Row(justify="space-between") as main:
        solara.Button(label="Reset", color="primary", on_click=do_reset)
        solara.Button(
            label="▶" if not playing.value else "❚❚",
            color="primary",
            on_click=do_play_pause,
            disabled=not running.value,
        )
        solara.Button(
            label="Step",
            color="primary",
            on_click=do_step,
            disabled=playing.value or not running.value,
        )
    if error_message.value:
        solara.Error(label=error_message.value)
    return main


@solara.component
def ShowSteps(model: Any):
    """The month reached, in the words of the status line (for Mesa's *Information* card).

    Mesa shows ``Time: 49.0`` (its step counter as a float) there.
    """
    update_counter.get()
    return solara.Text(status(model))


def install() -> None:
    """Make Mesa's SolaraViz use this module's controls, controller and step display."""
    solara_viz.UserInputs = UserInputs
    solara_viz.ModelController = ModelController
    solara_viz.ShowSteps = ShowSteps
