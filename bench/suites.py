"""Generated pytest projects for ``bench/run.py``: what a real suite pays for the plugin.

- ``unused``: 2,000 trivial tests in 20 files that never use the plugin, run (and collected) with
  the plugin and with ``-p no:convreplay``;
- ``small``: tests that each list a 40-item conversation (two pages) with the openai SDK from
  their own small cassette, against the same tests fed the same answers from memory with the
  plugin off (the floor). Its conftest writes the CPU time of the test loop alone to a file.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

UNUSED_TEST = "def test_{n}():\n    assert {n} == {n}\n\n\n"

SMALL_CONFTEST = """
import json, os, time
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    started = time.process_time()
    try:
        return (yield)
    finally:
        with open(os.environ["BENCH_LOOP_CPU"], "w") as out:
            json.dump({"cpu": time.process_time() - started, "tests": len(session.items)}, out)
"""

SMALL_TESTS = """
import json, os
import httpx2, openai, pytest

FLOOR = os.environ.get("BENCH_FLOOR") == "1"
BASE_URL = os.environ["BENCH_BASE_URL"]  # replayed: the recorded server, closed by then
API_KEY = os.environ.get("BENCH_API_KEY", "sk-bench-replay")  # the emulator's, when recording
CONVERSATION = os.environ["BENCH_CONVERSATION"]
ANSWERS = json.loads(open(os.environ["BENCH_ANSWERS"]).read()) if FLOOR else {{}}


class Memory(httpx2.HTTPTransport):
    def handle_request(self, request):
        status, headers, body = ANSWERS[request.url.raw_path.decode()]
        return httpx2.Response(status, headers=headers, content=body.encode(), request=request)


def items():
    http = openai.DefaultHttpxClient(transport=Memory()) if FLOOR else None
    client = openai.OpenAI(base_url=BASE_URL, api_key=API_KEY, max_retries=0, http_client=http)
    with client:
        return [item.id for item in client.conversations.items.list(CONVERSATION, limit=20, order="asc")]


mark = (lambda test: test) if FLOOR else pytest.mark.convreplay
{tests}
"""

SMALL_TEST = "@mark\ndef test_history_{n}():\n    assert len(items()) == 40\n\n\n"


def write_unused(folder: Path, files: int = 20, per_file: int = 100) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tests").mkdir(parents=True)
    (folder / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    for f in range(files):
        text = "".join(UNUSED_TEST.format(n=f * per_file + n) for n in range(per_file))
        (folder / "tests" / f"test_unused_{f:02d}.py").write_text(text)
    return folder


def write_small(folder: Path, tests: int) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tests").mkdir(parents=True)
    (folder / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    (folder / "tests" / "conftest.py").write_text(SMALL_CONFTEST)
    body = "".join(SMALL_TEST.format(n=n) for n in range(tests))
    (folder / "tests" / "test_small.py").write_text(SMALL_TESTS.format(tests=body))
    return folder


def small_answers(folder: Path) -> Path:
    """The floor's answers: every response of the recorded cassettes as replay serves them."""
    import httpx2

    from pytest_convreplay.replay.fastpath import served_headers
    from pytest_convreplay.storage.cassette import load_cassette
    from pytest_convreplay.storage.vcr_format import response_for_vcr

    answers: dict[str, object] = {}
    for path in sorted((folder / "cassettes").rglob("*.yaml")):
        for interaction in load_cassette(path).interactions:
            response = response_for_vcr(interaction["response"])
            headers = [[n.decode(), v.decode()] for n, v in served_headers(response["headers"])]
            key = httpx2.URL(interaction["request"]["uri"]).raw_path.decode()
            answers[key] = [response["status"]["code"], headers, response["body"]["string"].decode()]
    out = folder / "answers.json"
    out.write_text(json.dumps(answers))
    return out


def cpu_of(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    exit_codes: tuple[int, ...] = (0,),
) -> float:
    """User + system CPU seconds of one child process (and of any it waits for), run to the end;
    an exit code not in ``exit_codes`` (a test that failed) stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode not in exit_codes:
        tail = "\n".join(completed.stdout.splitlines()[-15:])
        raise SystemExit(f"{' '.join(command)} exited {completed.returncode}:\n{tail}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pytest_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", *arguments]


def bench_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "PYTEST_ADDOPTS")}
    env.update(extra)
    return env
