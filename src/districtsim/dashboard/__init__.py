"""The students' dashboard: explore a running model in the browser.

It is Mesa's SolaraViz with plotly views:

- :mod:`districtsim.dashboard.model`: :class:`DashboardModel` and the controls
  generated from the parameter declarations (no Solara needed);
- :mod:`districtsim.dashboard.views`: the views as plotly figures and tables;
- :mod:`districtsim.dashboard.app`: the Solara page (``Page``);
- :func:`serve`: the server behind ``districtsim dashboard``.
"""

from __future__ import annotations

import os
import socket
import warnings

from districtsim.dashboard.model import STUDENT_PARAMS, DashboardModel, model_params
from districtsim.errors import ScenarioError
from districtsim.scenario import DEFAULT_SCENARIO, SCENARIO_DIR, load_scenario, resolve_path

__all__ = ["STUDENT_PARAMS", "DashboardModel", "model_params", "serve"]


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(
            socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
        )  # as uvicorn does: closed connections (TIME_WAIT) do not block the port
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def serve(scenario: str | None = None, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the dashboard on ``http://host:port/`` until interrupted.

    The page's JavaScript comes from the installed packages (``solara-assets``),
    not a CDN, and Solara's telemetry is off. Binds to 127.0.0.1 unless told
    otherwise.

    Raises:
        ScenarioError: For a scenario that cannot be loaded, or a port in use.
    """
    name = scenario if scenario is not None else DEFAULT_SCENARIO
    path = resolve_path(name)
    load_scenario(name)  # a bad scenario is a one-line error before the server starts
    choice = (
        path.stem if path.parent.resolve() == SCENARIO_DIR and path.suffix == ".toml" else str(path)
    )
    if not _port_free(host, port):
        raise ScenarioError(
            "--port",
            "",
            port,
            f"a free port on {host} (another program uses {port}; try --port {port + 1})",
        )
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_APP"] = "districtsim.dashboard.app"
    os.environ["DISTRICTSIM_DASHBOARD_SCENARIO"] = choice
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import solara.server.settings as settings
    import uvicorn

    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # "This website runs on Solara" would cover a view
    settings.main.mode = "production"
    # Solara warns on each page load that an http (not https) server gets lax cookies: expected
    # on 127.0.0.1.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    print(f"districtsim dashboard: {choice} at http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
