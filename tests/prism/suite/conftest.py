"""A downstream project's test set-up: OpenAI clients pointed at a mock of the whole public API
(Prism, static examples; ``dynamic`` clients at Prism in dynamic mode, whose ids are random)."""

import os

import openai
import pytest

STATIC_URL = os.environ.get("PRISM_URL", "http://127.0.0.1:4010")
DYNAMIC_URL = os.environ.get("PRISM_DYNAMIC_URL", "http://127.0.0.1:4011")
API_KEY = os.environ.get("OPENAI_API_KEY", "sk-downstream-0123456789abcdefghijklmn")
ADMIN_KEY = os.environ.get("OPENAI_ADMIN_KEY", "sk-admin-downstream-0123456789abcdefghij")

# WORKAROUND until the redaction rewrite (issue 10) lands: the default `**.api_key` body rule
# replaces the `api_key` *object* of service-account and audit-log answers with a string, so the
# SDK's models read a str where an object was recorded. Tests marked `api_key_objects` keep every
# other default rule and leave that one out. Delete this, the marker and its uses after the merge.
_ALL_DEFAULTS_BUT_API_KEY = {
    "redact_defaults": False,
    "redact_headers": [
        "authorization", "proxy-authorization", "api-key", "x-api-key", "openai-admin-key",
        "cookie", "set-cookie", "openai-organization", "openai-project",
    ],
    "redact_query_params": ["api_key", "key", "token", "access_token", "client_secret", "password", "secret"],
    "redact_body_paths": [
        "**.client_secret", "**.password", "**.access_token", "**.refresh_token", "**.authorization",
    ],
    "redact_patterns": {"openai-key": r"sk-[A-Za-z0-9_-]{20,}"},
}  # fmt: skip


def pytest_configure(config):
    config.addinivalue_line("markers", "api_key_objects: answers hold `api_key` objects (see conftest)")


@pytest.fixture
def convreplay_config(request):
    return dict(_ALL_DEFAULTS_BUT_API_KEY) if request.node.get_closest_marker("api_key_objects") else {}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def client():
    with openai.OpenAI(base_url=STATIC_URL, api_key=API_KEY, admin_api_key=ADMIN_KEY) as api:
        yield api


@pytest.fixture
async def aclient():
    async with openai.AsyncOpenAI(base_url=STATIC_URL, api_key=API_KEY, admin_api_key=ADMIN_KEY) as api:
        yield api


@pytest.fixture
def dynamic():
    with openai.OpenAI(base_url=DYNAMIC_URL, api_key=API_KEY, admin_api_key=ADMIN_KEY) as api:
        yield api


@pytest.fixture
async def adynamic():
    async with openai.AsyncOpenAI(base_url=DYNAMIC_URL, api_key=API_KEY, admin_api_key=ADMIN_KEY) as api:
        yield api
