"""Redaction: what a cassette holds is what everyone with the repository reads."""

from .interaction import redact_interaction, redact_request, request_credentials
from .patterns import find_pattern_hits
from .redactor import redact_text, redact_uri

__all__ = [
    "find_pattern_hits",
    "redact_interaction",
    "redact_request",
    "redact_text",
    "redact_uri",
    "request_credentials",
]
