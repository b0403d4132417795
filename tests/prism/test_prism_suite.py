"""A third-party suite of realistic SDK calls over the whole API records against a third-party mock
server (Prism serving the public OpenAPI spec), then replays with the mock stopped, with ``CI``
set and under ``-n 2``: every test id has the outcome it had against the live mock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from support.prism import prism_servers

SUITE = Path(__file__).parent / "suite"

ENDLESS = """
import openai
import pytest


@pytest.mark.convreplay
def test_every_service_account(client):
    accounts = client.admin.organization.projects.service_accounts
    try:
        print("ACCOUNTS", len(list(accounts.list("proj_abc", limit=2))))
    except Exception:  # even code that swallows every error does not hide the guard
        pass
"""


@dataclass(frozen=True)
class Run:
    outcomes: dict[str, str]
    output: str
    seconds: float


def run_suite(folder: Path, *args: str, ci: bool = False, **urls: str) -> Run:
    """One pytest run of the downstream project, with only the plugins it uses loaded."""
    report = folder / f"report-{uuid.uuid4().hex}.xml"
    plugins = ["-p", "xdist", "-p", "anyio", "-p", "pytest_convreplay.plugin", "-p", "no:cacheprovider"]
    command = [sys.executable, "-m", "pytest", *plugins, f"--junitxml={report}", "-q", *args]
    environment = {name: value for name, value in os.environ.items() if name != "CI"}
    environment.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **urls)
    if ci:
        environment["CI"] = "true"
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=folder, env=environment, capture_output=True, text=True, timeout=600, check=False
    )
    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    assert report.is_file(), output
    return Run(_outcomes(report), output, seconds)


def _outcomes(report: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        outcomes[name] = next((kind for kind in ("error", "failure", "skipped") if kind in kinds), "passed")
    return outcomes


@dataclass(frozen=True)
class Recorded:
    folder: Path
    live: Run
    endless: Run
    endless_folder: Path
    urls: dict[str, str]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """The recording against the live mocks, once for the module; the mocks are stopped after it."""
    folder = tmp_path_factory.mktemp("prism-downstream")
    shutil.copytree(SUITE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    with prism_servers(folder) as (static, dynamic):
        urls = {"PRISM_URL": static.base_url, "PRISM_DYNAMIC_URL": dynamic.base_url}
        live = run_suite(folder, "--convreplay-record-mode=once", **urls)
        endless_folder = tmp_path_factory.mktemp("prism-endless")  # not part of the suite replayed below
        shutil.copy(folder / "conftest.py", endless_folder / "conftest.py")
        (endless_folder / "test_endless.py").write_text(ENDLESS)
        endless = run_suite(endless_folder, "--convreplay-record-mode=once", "-s", **urls)
    return Recorded(folder, live, endless, endless_folder, urls)


def recorded_requests(folder: Path) -> list[str]:
    paths = []
    for cassette in sorted((folder / "cassettes").rglob("*.yaml")):
        document = yaml.safe_load(cassette.read_text())
        paths += [urlsplit(i["request"]["uri"]).path for i in document["interactions"]]
    return paths


_NESTED = frozenset(
    {"items", "files", "file_batches", "service_accounts", "api_keys", "users", "runs", "parts"}
)


def resource_of(path: str) -> str:
    """The resource a request path names: ``/vector_stores/vs_1/file_batches/b/files`` →
    ``vector_stores/file_batches``, ``/organization/projects/p/service_accounts`` →
    ``organization/projects/service_accounts`` (ids left out, the first nested resource kept)."""
    parts = path.strip("/").split("/")
    head = parts[:2] if parts[0] == "organization" else parts[:1]
    nested = [part for part in parts[len(head) :][1:2] if part in _NESTED]
    return "/".join(head + nested)


def test_the_suite_records_over_200_calls_over_15_resources_against_the_live_mock(recorded: Recorded) -> None:
    live = recorded.live
    assert set(live.outcomes.values()) == {"passed"}, live.output
    requests = recorded_requests(recorded.folder)
    resources = Counter(map(resource_of, requests))
    assert len(requests) >= 200, resources
    assert len(resources) >= 15, resources
    print(f"\nrecorded {len(requests)} calls over {len(resources)} resources in {live.seconds:.1f} s")


@pytest.mark.parametrize("mode", ["offline", "ci", "xdist"])
def test_the_suite_replays_with_the_outcome_it_had_against_the_live_mock(
    recorded: Recorded, mode: str
) -> None:
    """The mocks are stopped: any request that reached the network would fail its test."""
    args = ["-n", "2"] if mode == "xdist" else []
    replay = run_suite(recorded.folder, *args, ci=mode == "ci", **recorded.urls)
    assert replay.outcomes == recorded.live.outcomes, replay.output
    assert "holds no answer" not in replay.output
    print(f"\nreplayed {mode} in {replay.seconds:.1f} s (recorded in {recorded.live.seconds:.1f} s)")


def test_the_loop_guard_stops_an_auto_paginating_client_on_a_mock_that_never_ends(recorded: Recorded) -> None:
    endless = recorded.endless
    assert endless.outcomes == {"test_endless::test_every_service_account": "failure"}, endless.output
    assert "cursor after=string repeats" in endless.output
    assert "recording stopped" in endless.output
    assert "ACCOUNTS" not in endless.output
    assert not (recorded.endless_folder / "cassettes").exists()
