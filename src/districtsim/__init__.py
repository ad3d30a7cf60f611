"""districtsim: an agent-based model of how city districts develop over 20 years."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("districtsim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
