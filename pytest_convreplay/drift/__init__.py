"""The drift check: re-record every convreplay test against the live service into a scratch
folder, and compare each new recording and snapshot with the committed one, item by item."""

from .compare import DriftResult, compare_entries
from .manifest import DriftEntry, DriftManifest
from .scratch import DRIFT_EXIT_STATUS, Scratch

__all__ = ["DRIFT_EXIT_STATUS", "DriftEntry", "DriftManifest", "DriftResult", "Scratch", "compare_entries"]
