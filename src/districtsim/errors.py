"""User-facing errors: bad input is reported as one line, never a traceback."""

from __future__ import annotations


class ScenarioError(Exception):
    """A problem with a scenario file or an override, reported to the user.

    Attributes:
        file: The file the problem is in (or ``"--set"`` for a command-line
            override).
        key: The key path, e.g. ``districts[3].price_eur_m2``.
        found: The value found (``None`` when the key is missing).
        expected: What was expected and, where useful, what to do.
    """

    def __init__(self, file: str, key: str, found: object, expected: str) -> None:
        self.file = str(file)
        self.key = key
        self.found = found
        self.expected = expected
        super().__init__(self.one_line())

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, str, object, str]]:
        # Pickled with its four fields, so a run's error raised in a worker process or on a
        # Dask worker reaches the calling process as the same error (not a broken pool).
        return (type(self), (self.file, self.key, self.found, self.expected))

    def one_line(self) -> str:
        """Return the message as the single line the CLI prints."""
        found = "missing" if self.found is None else repr(self.found)
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: found {found}; expected {self.expected}"
