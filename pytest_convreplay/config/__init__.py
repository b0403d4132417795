"""Options: one typed Settings per test, validated once, errors naming their source."""

from .options import Source, build_settings, convert_options, parse_duration, running_in_ci
from .paths import TestLocation
from .settings import Expiry, RecordMode, RepeatPolicy, Settings

__all__ = [
    "Expiry",
    "RecordMode",
    "RepeatPolicy",
    "Settings",
    "Source",
    "TestLocation",
    "build_settings",
    "convert_options",
    "parse_duration",
    "running_in_ci",
]
