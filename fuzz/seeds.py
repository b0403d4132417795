"""Write the seed corpus of every target: ``python fuzz/seeds.py`` (from the repository root).

Seeds are the malformed and hostile corpus the tests share (``tests/support/hostile.py``), real
cassettes and snapshot files (the repository's own, and two the demo records from the emulator),
and the bodies, requests and item lists inside them. Files named ``regression-*`` are inputs a
fuzz run once crashed on: they are kept, never rewritten here.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
sys.path.insert(0, str(ROOT / "tests"))

from support.hostile import CASSETTE_CORPUS, DEEP_JSON, HOSTILE_CONTENT, SNAPSHOT_CORPUS  # noqa: E402

from pytest_convreplay.model.conversations import rebuild_conversations  # noqa: E402
from pytest_convreplay.storage.cassette import load_cassette  # noqa: E402

MAX_SEED = 64 * 1024
TEXTS = {
    "deep-json": DEEP_JSON,
    "lone-surrogate-beside-a-key": '{"text": "x\\ud800", "key": "sk-proj-' + "A1b2" * 12 + '"}',
    "fake-url": "Set base_url to https://[your-domain]/v1 or https://[::1/v1?key=sk-" + "a" * 30,
    "userinfo-url": "https://sk-live-" + "b" * 24 + "@example.com/v1/files?sig=abc&X-Amz-Signature=00",
    "bearer": "Authorization: Bearer sk-proj-" + "Z9y8" * 10,
    "json-in-a-string": json.dumps({"arguments": json.dumps({"api_key": "sk-" + "c" * 40, "n": [1, [2]]})}),
    "form": "grant_type=password&password=hunter2hunter2&token=tok_1234567890abcdef",
    "event-stream": 'data: {"type": "response.output_text.delta", "delta": "sk-pr"}\n\n'
    'data: {"type": "response.output_text.delta", "delta": "oj-' + "d" * 30 + '"}\n\ndata: [DONE]\n',
}


def name_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def write(target: str, name: str, content: bytes) -> None:
    if len(content) > MAX_SEED:
        return
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


def real_cassettes() -> dict[str, Path]:
    """The repository's cassettes, and two the demo records from the emulator (recorded once, then
    kept in the corpus as ``real-demo-*``)."""
    kept = CORPUS / "cassette_loader"
    demo = sorted(kept.glob("real-demo-*.yaml"))
    if not demo:
        from pytest_convreplay.cli.demo import run

        folder = Path(tempfile.mkdtemp())
        run(folder, say=lambda _: None)
        kept.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("*.yaml")):
            demo.append(kept / f"real-demo-{path.name}")
            shutil.copyfile(path, demo[-1])
        shutil.rmtree(folder)
    repository = {
        f"real-{name_of(path.stem)}.yaml": path
        for path in (ROOT / "cassettes").rglob("*.yaml")
        if not path.name.endswith(".snapshot.yaml")
    }
    return repository | {path.name: path for path in demo}


def main() -> None:
    for target in ("cassette_loader", "snapshot_loader", "redaction", "gate", "matching", "diff"):
        for old in (CORPUS / target).glob("*") if (CORPUS / target).exists() else ():
            if not old.name.startswith(("regression-", "real-demo-")):
                old.unlink()
    cassettes = real_cassettes()
    for name, path in cassettes.items():
        if not name.startswith("real-demo-"):
            write("cassette_loader", name, path.read_bytes())
    for name, (content, _) in CASSETTE_CORPUS.items():
        write("cassette_loader", f"malformed-{name_of(name)}.yaml", content)
    for name, (_, content) in HOSTILE_CONTENT.items():
        write("cassette_loader", f"hostile-{name_of(name)}", content)
    for path in (ROOT / "cassettes").rglob("*.snapshot.yaml"):
        write("snapshot_loader", f"real-{name_of(path.stem)}.yaml", path.read_bytes())
    for name, content in SNAPSHOT_CORPUS.items():
        write("snapshot_loader", f"malformed-{name_of(name)}.yaml", content)
    texts = dict(TEXTS)
    for name, path in cassettes.items():
        loaded = load_cassette(path)
        for index, interaction in enumerate(loaded.interactions[:6]):
            for side, body in (
                ("request", interaction["request"]["body"]),
                ("response", interaction["response"]["body"]["string"]),
            ):
                if isinstance(body, str) and body:
                    texts[f"{name_of(name)}-{index}-{side}"] = body
            write(
                "matching",
                f"{name_of(name)}-{index}",
                interaction["request"]["uri"].partition("/v1/")[2].encode(),
            )
        items = [list(record.items) for record in rebuild_conversations(loaded.interactions).values()]
        for number, listing in enumerate(items):
            old, new = listing[:12], [*listing[1:12], {"id": "msg_new", "type": "message", "content": []}]
            write("diff", f"{name_of(name)}-{number}.json", json.dumps([old, new]).encode())
            write("diff", f"{name_of(name)}-{number}-same.json", json.dumps([old, old]).encode())
    for name, text in texts.items():
        write("redaction", name, text.encode("utf-8", "surrogatepass"))
        write("gate", name, text.encode("utf-8", "surrogatepass"))
    print(
        f"seeds written to {CORPUS}: "
        + ", ".join(f"{p.name} {len(list(p.iterdir()))}" for p in sorted(CORPUS.iterdir()))
    )


if __name__ == "__main__":
    main()
