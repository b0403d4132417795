"""The local Conversations API: what the demo and the plugin's own tests record from.

``ConversationsEmulator`` is a stateful Conversations API on 127.0.0.1 (create conversations,
add/retrieve/delete items, list with full pagination semantics, OpenAI error bodies, bearer-key
check, fault injection); the ``conversations_api`` fixture starts one per test; ``convreplay
serve`` runs one in the foreground.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ConvreplayError

if TYPE_CHECKING:
    from .api import DEFAULT_API_KEY, DEFAULT_ORGANIZATION, DEFAULT_PROJECT, ConversationsEmulator


def __getattr__(name: str) -> Any:
    """The server itself loads on first use (PEP 562): the CLI only needs ``serve_arguments`` to
    build its parser, and every command paid ~40 ms for the HTTP server stack."""
    if name in ("DEFAULT_API_KEY", "DEFAULT_ORGANIZATION", "DEFAULT_PROJECT", "ConversationsEmulator"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_ORGANIZATION",
    "DEFAULT_PROJECT",
    "ConversationsEmulator",
    "main",
    "serve_arguments",
    "serve_forever",
]


def serve_forever(host: str = "127.0.0.1", port: int = 0, *, seed_mixed: bool = False) -> None:
    """Run an emulator in the foreground until Ctrl-C (what ``convreplay serve`` calls)."""
    from .api import ConversationsEmulator

    with ConversationsEmulator(host=host, port=port) as emulator:
        print(f"base_url: {emulator.base_url}")
        print(f"api_key:  {emulator.api_key}")
        if seed_mixed:
            print(f"conversation: {emulator.seed_mixed_conversation()}")
        print("Serving the Conversations API emulator; press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def serve_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The arguments of ``convreplay serve``: one definition for the CLI and ``main``."""
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=0, help="0 picks a free port (default)")
    parser.add_argument("--seed-mixed", action="store_true", help="seed one conversation of every item type")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535; 0 picks a free one)")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pytest_convreplay.emulator [--host H] [--port P] [--seed-mixed]``."""
    parser = argparse.ArgumentParser(
        prog="convreplay serve", description="Run the local Conversations API emulator."
    )
    args = serve_arguments(parser).parse_args(argv)
    try:
        serve_forever(args.host, args.port, seed_mixed=args.seed_mixed)
    except ConvreplayError as error:
        print(error, file=sys.stderr)
        return 2
    return 0
