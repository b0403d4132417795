"""The egress gate: every byte the plugin writes is checked here for the secrets it knows."""

from .findings import Finding, Gate, find_secrets_in_interactions, find_secrets_in_text, leak_error
from .known import KnownSecrets, masked

__all__ = [
    "Finding",
    "Gate",
    "KnownSecrets",
    "find_secrets_in_interactions",
    "find_secrets_in_text",
    "leak_error",
    "masked",
]
