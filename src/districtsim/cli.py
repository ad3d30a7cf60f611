"""Command line: ``districtsim run`` and ``districtsim validate``.

User mistakes (bad scenario, bad override, bad option, unwritable output
folder) are reported as one line on stderr with exit status 2, never as a
traceback or a usage block; ``--help`` prints the full usage.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

from districtsim import __version__
from districtsim.errors import ScenarioError
from districtsim.scenario import DEFAULT_SCENARIO, SCENARIO_DIR, load_scenario

EXIT_USAGE = 2

_INVALID_VALUE = re.compile(r"^argument (?P<option>\S+): invalid (?P<type>\w+) value: (?P<found>.*)$", re.DOTALL)
_INVALID_CHOICE = re.compile(r"^argument (?P<option>\S+): invalid choice: (?P<found>.*?) \(choose from (?P<choices>.*)\)$", re.DOTALL)
_TYPE_EXPECTED = {"int": "an integer", "float": "a number"}

# Options that set a [scenario] key: (option, key). Applied after --set, in this order.
_SCENARIO_OPTIONS = (("--months", "months"), ("--scale", "scale"), ("--seed", "seed"))


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a mistake as one line (``districtsim: --months: found 'abc'; expected an integer``)."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one line on stderr and exit with status 2."""
        self.exit(EXIT_USAGE, f"districtsim: {self.one_line(message)}\n")

    def one_line(self, message: str) -> str:
        """Return argparse's ``message`` in the CLI's ``option: found ...; expected ...`` form."""
        if m := _INVALID_VALUE.match(message):
            return f"{m['option']}: found {m['found']}; expected {_TYPE_EXPECTED.get(m['type'], 'a value of type ' + m['type'])}"
        if m := _INVALID_CHOICE.match(message):
            choices = ", ".join(c.strip().strip("'") for c in m["choices"].split(","))
            return f"{m['option']}: found {m['found']}; expected one of {choices}"
        message = " ".join(message.removeprefix("argument ").split())
        return f"{message} (see {self.prog} --help)"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (also used to document ``--help``)."""
    parser = _Parser(
        prog="districtsim",
        description="Agent-based model of how city districts develop over 20 years: communication, collective action, identity, reputation and housing value.",
    )
    parser.add_argument("--version", action="version", version=f"districtsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    bundled = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")))
    run = sub.add_parser("run", help="run one simulation and write its tables", description="Run one simulation and write districts, city and events tables and meta.json to --out.")
    run.add_argument("scenario", nargs="?", default=None, help=f"scenario TOML file or bundled name ({bundled}); default: {DEFAULT_SCENARIO}")
    run.add_argument("--seed", type=int, default=None, help="root seed (default: the scenario's seed)")
    run.add_argument("--months", type=int, default=None, help="horizon in months (default: the scenario's, usually 240)")
    run.add_argument("--scale", type=float, default=None, help="fraction of the real population simulated, 0.0001-1 (1 = every resident)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override a parameter, e.g. --set mobilisation.tau=0.05 (repeatable)")
    run.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format (default: parquet)")
    run.add_argument("--out", default=None, help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    val = sub.add_parser("validate", help="check a scenario file without running it", description="Check a scenario file (and --set overrides) and report the first problem.")
    val.add_argument("scenario", help="scenario TOML file or bundled name")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override to check as well")
    return parser


def _check_writable(out: Path) -> str | None:
    """Return None if ``out`` can be created and written, else the reason."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-test-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    for option, key in _SCENARIO_OPTIONS:
        value = getattr(args, key)
        if value is not None:
            scenario = scenario.with_option(key, value, option)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    problem = _check_writable(out)
    if problem:
        print(f"districtsim: --out {out}: cannot write there ({problem}); choose a folder you can write to", file=sys.stderr)
        return EXIT_USAGE
    from districtsim.results import write_results
    from districtsim.run import run_scenario

    print(f"districtsim {__version__}: {scenario.name}, {len(scenario.districts)} districts, {scenario.months} months, scale {scenario.scale:g}, seed {scenario.seed}", file=sys.stderr)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        # A terminal that reports its size as 0x0 (e.g. under `script`) would hide the bar.
        size = shutil.get_terminal_size()
        bar = tqdm(total=scenario.months, unit="month", desc=scenario.name, file=sys.stderr, ncols=size.columns or 80, nrows=size.lines or 24)
    result = run_scenario(scenario, on_month=(lambda t: bar.update(1)) if bar else None)
    if bar:
        bar.close()
    paths = write_results(result, out, args.format)
    print(f"done in {result.meta['elapsed_seconds']:.1f} s; results in {out}/:", file=sys.stderr)
    for p in paths:
        print(f"  {p}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    print(f"{scenario.source}: ok ({len(scenario.districts)} districts, {sum(d.population for d in scenario.districts):,} residents, {scenario.months} months)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "run":
            return _cmd_run(args)
        return _cmd_validate(args)
    except ScenarioError as err:
        print(f"districtsim: {err.one_line()}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("districtsim: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
