"""The HTML report: comparisons of item lists (a drift run, two folders, failed snapshots) rendered
as one self-contained page, written through the egress gate."""

from .model import Comparison, ComparisonKind

__all__ = ["Comparison", "ComparisonKind"]
