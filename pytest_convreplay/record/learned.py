"""What a test's live exchanges teach redaction and the gate: every credential the client sent or
the server named in a header becomes a known value, and a rule that redacts it wherever else it
shows; the exchanges redacted with those rules are what the cassette gets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..config.settings import Settings
from ..gate import KnownSecrets, masked
from ..model.interactions import Interaction
from ..redact import redact_interaction, request_credentials
from ..rules.credentials import env_secret_values
from ..rules.defaults import enabled
from ..rules.redaction import RedactionRules


def known_secrets_for(settings: Settings) -> KnownSecrets:
    """The secret values a test's settings name, besides those of the environment."""
    return KnownSecrets.from_env(names=settings.secret_env, values=settings.secrets)


def environment_secrets(settings: Settings) -> dict[str, str]:
    """value -> variable name of the secrets the environment holds now (see ``note_environment``)."""
    return {value: name for name, value in env_secret_values(settings.secret_env)}


@dataclass(slots=True)
class Learned:
    """What ``count`` live exchanges taught: known values and rules with learned header values,
    and the exchanges redacted with them."""

    count: int
    environment: int  # how many environment values it knew
    known: KnownSecrets
    rules: RedactionRules
    redacted: list[Interaction]  # as written
    _shown: list[Interaction] | None = None

    @property
    def shown(self) -> list[Interaction]:
        """The exchanges as the handle shows them, known values masked too: worked out when the
        test asks (saving never needs them)."""
        if self._shown is None:
            self._shown = [masked(i, self.known) for i in self.redacted]
        return self._shown


def known_values(
    settings: Settings, rules: RedactionRules, live: Sequence[Interaction], environment: Mapping[str, str]
) -> tuple[KnownSecrets, list[tuple[str, str]]]:
    """The values ``live`` makes known (with the environment's secrets seen while the test ran,
    value -> name), and the (label, value) credentials the client sent: worked out before any
    redaction, so a message can be masked with them even when a body cannot be redacted."""
    known = known_secrets_for(settings)
    for value, name in environment.items():
        known.add(value, name)
    sent: list[tuple[str, str]] = []
    for interaction in live:
        known.add_from_request_headers(
            {  # a header whose built-in rule the test turned off by name is meant to be kept
                name: values
                for name, values in interaction["request"]["headers"].items()
                if enabled(f"header:{name.lower()}", settings.redact_disable)
            }
        )
        known.add_from_response_headers(interaction["response"]["headers"], rules)
        for label, value in request_credentials(interaction, rules):
            known.add(value, f"the {label} credential the client sent")
            sent.append((label, value))
    return known, sent


def learn(
    rules: RedactionRules,
    live: Sequence[Interaction],
    environment: Mapping[str, str],
    known: KnownSecrets,
    sent: Sequence[tuple[str, str]],
) -> Learned:
    """What ``live`` teaches, given what :func:`known_values` found in it."""
    taught = rules.learning(live, list(sent))
    redacted = [redact_interaction(interaction, taught) for interaction in live]
    return Learned(len(live), len(environment), known, taught, redacted)
