"""``convreplay demo``: the whole product in one run, against the built-in emulator.

It records a mixed conversation's pagination with the openai SDK (plain httpx when the SDK is not
installed), proves the cassette holds no secret, replays it with the emulator stopped — including
a page size and order the recording never used — and shows the item-level diff of a re-recording.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config.settings import RecordMode, Settings
from ..diff import diff_items, render
from ..emulator import ConversationsEmulator
from ..errors import ConvreplayError
from ..model.item_dicts import to_item_dicts
from ..record.recording import Recording
from ..record.vcr import use_cassette

Lister = Callable[[str, str, str, int, str], list[dict[str, Any]]]


def _list_with_openai(base_url: str, api_key: str, conversation_id: str, limit: int, order: str) -> Any:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    with client:
        pages = client.conversations.items.list(conversation_id, limit=limit, order=order)  # type: ignore[arg-type]
        return to_item_dicts(list(pages))


def _list_with_httpx(base_url: str, api_key: str, conversation_id: str, limit: int, order: str) -> Any:
    import httpx

    items: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": limit, "order": order}
    with httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {api_key}"}) as client:
        while True:
            page = client.get(f"/conversations/{conversation_id}/items", params=params).json()
            items.extend(page["data"])
            if not page["has_more"] or not page["last_id"]:
                return items
            params["after"] = page["last_id"]


def _lister() -> tuple[str, Lister]:
    try:
        import openai
    except ImportError:
        return "httpx", _list_with_httpx
    return f"openai {openai.__version__}", _list_with_openai


def _session(path: Path, mode: RecordMode) -> Recording:
    settings = Settings(
        cassette_path=path, snapshot_path=path.with_suffix(".snapshot.yaml"), record_mode=mode
    )
    return Recording(settings, nodeid=f"convreplay demo ({path.name})")


def run(workdir: Path | None = None, say: Callable[[str], None] = print) -> int:
    """Run the demo; returns the process exit code (0 when every step did what it promises)."""
    if workdir is not None:
        _check_keep(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        code = _run(workdir, say)
        say(f"6. the cassettes are kept in {workdir}: open them, or try convreplay show {workdir}")
        return code
    with tempfile.TemporaryDirectory(prefix="convreplay-demo-") as scratch:
        code = _run(Path(scratch), say)
    say(
        "6. the cassettes were in a temporary folder, removed now; keep them with: convreplay demo --keep DIR"
    )
    return code


def _check_keep(workdir: Path) -> None:
    """``--keep`` writes into a new or empty folder: the demo cannot tell its own earlier files
    from a user's, so it never overwrites one."""
    if workdir.exists() and not workdir.is_dir():
        raise ConvreplayError(
            f"convreplay demo --keep {workdir}: that is a file; give a folder (it is created)"
        )
    taken = sorted(name for name in _FILES if (workdir / name).exists())
    if taken:
        raise ConvreplayError(
            f"convreplay demo --keep {workdir}: it already holds {', '.join(taken)}; "
            "give a new or empty folder (the demo overwrites nothing)"
        )


_FILES = ("conversation.yaml", "conversation-rerecorded.yaml")


def _run(folder: Path, say: Callable[[str], None]) -> int:
    client_name, list_items = _lister()
    first, second = (folder / name for name in _FILES)
    with ConversationsEmulator() as api:
        conversation = api.seed_mixed_conversation()
        api.add_items(conversation, [_message(n) for n in range(1, 13)])
        say(f"1. emulator on {api.base_url}; conversation {conversation} seeded with every item type")
        recording = _session(first, RecordMode.ALL)
        with use_cassette(recording):
            live = list_items(api.base_url, api.api_key, conversation, 10, "asc")
        recording.save()
        say(
            f"2. recorded {len(live)} items in {recording.sent} pages with {client_name} "
            f"-> {first.name} ({first.stat().st_size // 1024} KiB)"
        )
        secrets = _secrets_sent(api, recording)
        text = first.read_text(encoding="utf-8")
        leaked = [name for name, value in secrets.items() if value in text]
        if leaked:
            say(f"   FAILED: the cassette still holds {', '.join(leaked)}")
            return 1
        say(f"3. no secret in the cassette: checked {', '.join(secrets)}")
        removed = live[3]["id"]
        api.delete_item(conversation, removed)
        api.add_items(conversation, [_message(99)])
        rerecording = _session(second, RecordMode.ALL)
        with use_cassette(rerecording):
            drifted = list_items(api.base_url, api.api_key, conversation, 10, "asc")
        rerecording.save()
    say("4. emulator stopped; replaying offline (record mode none)")
    replay = _session(first, RecordMode.NONE)
    with use_cassette(replay):
        base_url = _base_of(replay)
        replayed = list_items(base_url, "sk-not-used-offline", conversation, 10, "asc")
        resliced = list_items(base_url, "sk-not-used-offline", conversation, 7, "desc")
    same = replayed == live
    reversed_ok = resliced == live[::-1]
    say(f"   replayed {len(replayed)} items, identical to the live listing: {'yes' if same else 'NO'}")
    say(
        f"   limit=7 order=desc answered from limit=10 asc pages, identical: {'yes' if reversed_ok else 'NO'}"
    )
    diff = diff_items(live, drifted)
    say(
        f"5. before re-recording, the demo deleted item [3] ({removed}) and appended one message; "
        "the item-level diff of the re-recording against the first recording:"
    )
    shown = render(diff, labels=(first.name, second.name))
    say("\n".join(f"   {line}" for line in shown.splitlines()))
    return 0 if same and reversed_ok and not diff.is_empty else 1


def _base_of(recording: Recording) -> str:
    """The base URL the cassette was recorded against, which replay must use again."""
    base_urls = recording.metadata.get("base_urls") or []
    return f"{base_urls[0]}/v1"


def _secrets_sent(api: ConversationsEmulator, recording: Recording) -> dict[str, str]:
    """The key, org, project and cookies that crossed the wire, as the gate knows them."""
    found = {"API key": api.api_key, "organization": api.organization, "project": api.project}
    for interaction in recording._live[:1]:  # the raw exchange: the demo shows the gate knows them
        for cookie in interaction["response"]["headers"].get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            found[f"cookie {name}"] = rest.split(";", 1)[0]
    return found


def _message(number: int) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "user" if number % 2 else "assistant",
        "content": [{"type": "input_text" if number % 2 else "output_text", "text": f"Turn {number}"}],
    }
