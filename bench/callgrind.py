"""Replay W500 against the SDK alone by instruction count (valgrind's callgrind), not CPU time.

CPU time on 2 shared cores moves by ±10 % between identical runs, more than the 5 % the replay
goal allows; instructions do not move. Each measurement is the difference of two processes that
do the same set-up (imports, the floor's answers loaded, one warm-up listing) and then list the
conversation zero times or once, so start-up and first-call costs cancel out::

    python bench/callgrind.py            # W500 warm and cold (about 5 minutes on one core)
    python bench/callgrind.py --items 2000

It needs ``valgrind`` (Debian's package) and records its own cassette from the emulator first.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys

import run  # bench/run.py: the emulator and client processes

OUT = run.WORK / "callgrind"
COLLECTED = re.compile(r"Collected : (\d+)")

MEASURED = """
import shutil, sys
from pathlib import Path
sys.path.insert(0, {bench!r})
import client
request = {request!r}
cold = {cold!r}
client.floor_answers(Path(request["path"]))  # held by both, as by bench/run.py's client
def listing():
    if cold:
        shutil.rmtree(request["cache_dir"], ignore_errors=True)
    client.run(request)
listing()  # warm-up: imports, first calls, the parsed cache filled
for _ in range({times}):
    listing()
"""


def instructions(request: dict[str, object], *, cold: bool, times: int) -> int:
    """Instructions callgrind counts for the whole process, which starts with an empty parsed
    cache (its warm-up fills it): the two processes of a measurement start alike."""
    shutil.rmtree(str(request["cache_dir"]), ignore_errors=True)
    script = MEASURED.format(bench=str(run.BENCH), request=request, cold=cold, times=times)
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={OUT / 'callgrind.out'}"]
    done = subprocess.run(
        [*valgrind, sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    found = COLLECTED.search(done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def one_listing(request: dict[str, object], *, cold: bool = False) -> int:
    return instructions(request, cold=cold, times=1) - instructions(request, cold=cold, times=0)


def measure(items: int) -> dict[str, int]:
    """Instructions of one listing of a conversation of ``items``: the floor, ours warm and cold."""
    if shutil.which("valgrind") is None:
        raise SystemExit("bench/callgrind.py needs valgrind (apt-get install valgrind)")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    cassette = OUT / "cassette.yaml"
    emulator, recorder = run.Emulator(items), run.Client()
    with run.running(emulator, recorder):
        conversation = emulator.conversation
        live = {"base_url": emulator.base_url, "api_key": emulator.api_key, "conversation": conversation}
        recorder.ask(op="record", engine="convreplay", path=str(cassette), **live)
    request = {"op": "replay", "path": str(cassette), "conversation": conversation}
    request["cache_dir"] = str(OUT / "cache")
    return {
        "floor": one_listing({**request, "engine": "floor"}),
        "warm": one_listing({**request, "engine": "convreplay"}),
        "cold": one_listing({**request, "engine": "convreplay"}, cold=True),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000, help="items in the conversation (W500: 10,000)")
    options = parser.parse_args()
    counts = measure(options.items)
    print(f"| W{options.items // 20} replay | instructions | / the SDK alone |\n|---|---:|---:|")
    for name, count in counts.items():
        ratio = "—" if name == "floor" else f"{count / counts['floor']:.3f}"
        print(f"| {name} | {count:,} | {ratio} |")
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
