"""A downstream project's test set-up: OpenAI clients pointed at a mock of the whole public API
(Prism, static examples; ``dynamic`` clients at Prism in dynamic mode, whose ids are random)."""

import os

import openai
import pytest

STATIC_URL = os.environ.get("PRISM_URL", "http://127.0.0.1:4010")
DYNAMIC_URL = os.environ.get("PRISM_DYNAMIC_URL", "http://127.0.0.1:4011")
API_KEY = os.environ.get("OPENAI_API_KEY", "sk-downstream-0123456789abcdefghijklmn")
ADMIN_KEY = os.environ.get("OPENAI_ADMIN_KEY", "sk-admin-downstream-0123456789abcdefghij")


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
