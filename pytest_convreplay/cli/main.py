"""The ``convreplay`` command: its arguments and one small function per subcommand, which calls the
module that does the work; every error the plugin raises on purpose becomes one line and exit 2.

One exit-code rule for every command (``EXIT_CODES``, shown by ``--help``): 0 clean, 1 findings or
differences, 2 bad usage or unreadable input."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..emulator import serve_arguments
from ..errors import ConvreplayError
from .progress import Progress, paint

if TYPE_CHECKING:
    from ..gate import KnownSecrets
    from ..rules.redaction import RedactionRules


EXIT_CODES = """exit codes, the same for every command:
  0  clean: nothing found, no differences
  1  findings or differences: secrets (scan), problems (verify), items that differ (diff)
  2  bad usage or unreadable input: a path that does not exist, a file that cannot be parsed"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convreplay",
        description="Record, redact, replay and diff OpenAI conversation items.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="record from the emulator, replay offline, show a diff")
    demo.add_argument("--keep", type=Path, metavar="DIR", help="keep the demo cassettes in DIR")

    serve_arguments(commands.add_parser("serve", help="run the Conversations API emulator in the foreground"))

    show = commands.add_parser("show", help="summarize cassettes: interactions, conversations, pages")
    show.add_argument(
        "paths", nargs="+", type=Path, help="cassettes and snapshot files, or folders of cassettes"
    )

    verify = commands.add_parser("verify", help="check cassettes load and paginate correctly (exit 1 if not)")
    verify.add_argument(
        "paths", nargs="+", type=Path, help="cassettes and snapshot files, or folders of cassettes"
    )
    verify.add_argument("--max-age", type=_duration, help="also fail cassettes older than this (e.g. 30d)")

    scan = commands.add_parser("scan", help="find secrets in cassettes and snapshots (exit 1 on findings)")
    scan.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("cassettes")],
        help="files and folders (default: cassettes)",
    )

    redact = commands.add_parser("redact", help="apply the redaction rules to existing cassettes in place")
    redact.add_argument(
        "paths", nargs="+", type=Path, help="cassettes, or folders of them, rewritten in place"
    )

    diff = commands.add_parser("diff", help="item-level diff of two cassettes or snapshot files")
    diff.add_argument("old", type=Path, help="the cassette or snapshot file to compare from")
    diff.add_argument("new", type=Path, help="the cassette or snapshot file to compare to")
    diff.add_argument("--json", action="store_true", help="machine-readable output")
    colour = diff.add_mutually_exclusive_group()
    colour.add_argument(
        "--color",
        dest="color",
        action="store_true",
        default=None,
        help="colour the diff (default: on a terminal)",
    )
    colour.add_argument("--no-color", dest="color", action="store_false", help="never colour the diff")
    diff.add_argument("--renumber-ids", action="store_true", help="compare ids by first appearance")

    report = commands.add_parser("report", help="HTML report of a drift run, or of two folders or files")
    report.add_argument("sides", nargs="*", type=Path, metavar="OLD NEW", help="two folders or two files")
    report.add_argument(
        "--drift",
        nargs="?",
        const=DRIFT_DIR,
        type=Path,
        metavar="DIR",
        help=f"report on a drift run's folder (default: {DRIFT_DIR})",
    )
    report.add_argument("-o", "--output", type=Path, help="where to write it (default: report.html)")
    report.add_argument("--renumber-ids", action="store_true", help="compare ids by first appearance")

    review = commands.add_parser("review", help="accept, reject or skip pending snapshots or a drift run")
    review.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("cassettes")],
        help="pending snapshot files, or folders to find them in (default: cassettes)",
    )
    review.add_argument(
        "--drift",
        nargs="?",
        const=DRIFT_DIR,
        type=Path,
        metavar="DIR",
        help=f"review a drift run's folder instead of pending snapshots (default: {DRIFT_DIR})",
    )
    decide = review.add_mutually_exclusive_group()
    decide.add_argument(
        "--accept-all",
        dest="answer",
        action="store_const",
        const="a",
        help="accept everything, without asking",
    )
    decide.add_argument(
        "--reject-all",
        dest="answer",
        action="store_const",
        const="r",
        help="reject everything, without asking",
    )
    return parser


DRIFT_DIR = Path(".pytest_cache", "d", "convreplay-drift")  # where pytest --convreplay-drift records


def _duration(text: str) -> dt.timedelta | None:
    """``--max-age``: a bad value is a usage error (exit 2), not a traceback."""
    from ..config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _missing_paths(arguments: argparse.Namespace) -> list[Path]:
    given = [*getattr(arguments, "paths", []), *(getattr(arguments, name, None) for name in ("old", "new"))]
    return [path for path in given if isinstance(path, Path) and not path.exists()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; all it prints, errors included, leaves through the egress gate."""
    from ..gate.egress import MaskedStream

    arguments = _parser().parse_args(argv)
    if arguments.command == "serve":  # it prints the emulator's own made-up key, for the user to use
        return _run(arguments)
    mask = functools.cache(_egress_mask)  # built on the first line printed, once per run

    def masked(text: str) -> str:
        return mask()(text) if text.strip() else text

    stdout, stderr = MaskedStream(sys.stdout, masked), MaskedStream(sys.stderr, masked)
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            return _run(arguments)
        finally:
            with contextlib.suppress(ValueError, OSError):
                stdout.flush()
                stderr.flush()


def _egress_mask() -> Callable[[str], str]:
    """The CLI's mask: the environment's secrets, the project's declared ones, the patterns in force."""
    from ..config.project import project_settings
    from ..gate import Gate

    try:
        settings, _ = project_settings()
    except Exception:
        from ..config.settings import Settings

        settings = Settings(cassette_path=Path(os.devnull), snapshot_path=Path(os.devnull))
    from ..record.learned import known_secrets_for

    return Gate(known_secrets_for(settings), settings.redaction_rules().patterns).mask


def _run(arguments: argparse.Namespace) -> int:
    missing = _missing_paths(arguments)
    if missing:  # checked before any work, the same way for every command
        for path in missing:
            print(f"{path}: no such file or directory", file=sys.stderr)
        return 2
    try:
        return int(_COMMANDS[arguments.command](arguments))
    except ConvreplayError as error:
        print(error, file=sys.stderr)
        return 2
    except FileNotFoundError as error:  # a path given on the command line that is not there
        print(f"{error.filename}: no such file or directory", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `convreplay diff a b | head`: the reader has seen enough
        sys.stderr.close()
        return 1


def _demo(arguments: argparse.Namespace) -> int:
    from .demo import run

    return run(arguments.keep)


def _serve(arguments: argparse.Namespace) -> int:
    from ..emulator import serve_forever

    serve_forever(arguments.host, arguments.port, seed_mixed=arguments.seed_mixed)
    return 0


def _show(arguments: argparse.Namespace) -> int:
    from .audit import cassette_files, show

    progress = Progress("show")
    for number, path in enumerate(progress.files(list(cassette_files(arguments.paths)))):
        progress.start(path)
        summary = show(path)
        progress.clear()
        print(("\n" if number else "") + summary)
    progress.finish()
    return 0


def _verify(arguments: argparse.Namespace) -> int:
    from .audit import cassette_files, verify

    failed = 0
    progress = Progress("verify")
    for path in progress.files(list(cassette_files(arguments.paths))):
        progress.start(path)
        verdict = verify(path, max_age=arguments.max_age)
        progress.clear()
        print(f"{paint('ok  ', 'ok') if verdict.ok else paint('FAIL', 'fail')} {path}")
        for line in [*verdict.errors, *verdict.notes]:
            print(f"     {line}")
        failed += not verdict.ok
    progress.finish(f"{failed} failed")
    return 1 if failed else 0


def _scan(arguments: argparse.Namespace) -> int:
    from .scan import scan_files

    rules, known = _project_rules()
    progress = Progress("scan")
    findings = scan_files(arguments.paths, known=known, patterns=rules.patterns, progress=progress)
    for finding in findings:
        print(finding)
    progress.finish(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    return 1 if findings else 0


def _redact(arguments: argparse.Namespace) -> int:
    from .scan import redact_files

    rules, known = _project_rules()
    progress = Progress("redact")
    changes = redact_files(arguments.paths, rules, known=known, progress=progress)
    for change in changes:
        print(change)
    progress.finish(f"{len(changes)} change{'s' if len(changes) != 1 else ''}")
    return 0


def _project_rules() -> tuple[RedactionRules, KnownSecrets]:
    """The rules and secrets a test of this project gets from its ini (``convreplay_redact_*``,
    ``convreplay_secrets`` …), so the pre-commit scan checks what recording checks."""
    from ..config.project import project_settings
    from ..gate import KnownSecrets

    settings, source = project_settings()
    if source is not None:  # say so only when the project adds something to the built-in rules
        print(f"convreplay: redaction rules and secrets from {source}", file=sys.stderr)
    return settings.redaction_rules(), KnownSecrets.from_env(
        names=settings.secret_env, values=settings.secrets
    )


def _diff(arguments: argparse.Namespace) -> int:
    from ..storage.parsed import collection_paused
    from ..storage.snapshots import is_snapshot_file

    if is_snapshot_file(arguments.old) != is_snapshot_file(arguments.new):
        raise ConvreplayError(
            f"{arguments.old} and {arguments.new}: compare two cassettes or two snapshot files; "
            "a cassette's conversations are keyed by id, a snapshot file's by snapshot name"
        )
    # Two large structures built, compared and left to the end of the process: they hold no
    # cycles to collect, and each of the collector's runs would walk all of them again.
    with collection_paused():
        return _diff_files(arguments)


def _diff_files(arguments: argparse.Namespace) -> int:
    from ..diff import diff_items, render, to_json
    from ..storage.snapshots import is_snapshot_file
    from .sources import conversations_in, project_parsed_cache

    progress = Progress("diff")
    progress.files([arguments.old, arguments.new])
    cache = project_parsed_cache()
    progress.start(arguments.old)
    old = conversations_in(arguments.old, cache)
    progress.start(arguments.new)
    new = conversations_in(arguments.new, cache)
    progress.clear()
    if arguments.renumber_ids and not is_snapshot_file(arguments.old):  # fresh conversation ids too
        from ..snapshot.assertion import snapshot_names

        old, new = (
            {name: side[cid] for name, cid in snapshot_names(side, renumber=True).items()}
            for side in (old, new)
        )
    color = sys.stdout.isatty() if arguments.color is None else arguments.color
    section = "snapshot" if is_snapshot_file(arguments.old) else "conversation"  # what a name names
    differs = False
    report: dict[str, Any] = {}
    for name in sorted(old.keys() | new.keys()):
        diff = diff_items(old.get(name, []), new.get(name, []), renumber=arguments.renumber_ids)
        differs = differs or not diff.is_empty
        if arguments.json:
            report[name] = to_json(diff)
        elif not diff.is_empty:
            print(f"{section} {name}")
            labels = (str(arguments.old), str(arguments.new))
            print(render(diff, color=color, labels=labels, renumber_option="--renumber-ids"))
    if arguments.json:
        print(json.dumps(report, indent=2))
    elif not differs:
        print("no differences")
    progress.finish("differences" if differs else "no differences")
    return 1 if differs else 0


def _report(arguments: argparse.Namespace) -> int:
    from ..gate import Gate
    from . import report

    rules, known = _project_rules()
    gate = Gate(known, rules.patterns)
    if arguments.drift is not None:
        if arguments.sides:
            raise ConvreplayError("convreplay report: give two folders or --drift DIR, not both")
        output = arguments.output or arguments.drift / "report.html"
        source = f"the drift run in {arguments.drift}"
        drifted = report.drift_comparisons(arguments.drift)
        return report.write(output, drifted, gate, source=source, sides=("committed", "re-recorded"))
    if len(arguments.sides) != 2:
        raise ConvreplayError("convreplay report: give two folders or files (OLD NEW), or --drift [DIR]")
    from ..config.project import project_settings

    old, new = arguments.sides
    comparisons = report.folder_comparisons(
        old, new, masks=project_settings()[0].all_masks, renumber=arguments.renumber_ids
    )
    return report.write(arguments.output or Path("report.html"), comparisons, gate, source=f"{old} → {new}")


def _review(arguments: argparse.Namespace) -> int:
    from ..gate import Gate
    from . import review

    rules, known = _project_rules()
    gate = Gate(known, rules.patterns)
    color = sys.stdout.isatty()
    if arguments.drift is not None:
        proposals = review.drift_proposals(arguments.drift, gate, color=color)
    else:
        proposals = review.pending_proposals(arguments.paths, gate, color=color)
    return review.review(proposals, answer=arguments.answer, ask=sys.stdin)


_COMMANDS = {
    "demo": _demo,
    "serve": _serve,
    "show": _show,
    "verify": _verify,
    "scan": _scan,
    "redact": _redact,
    "diff": _diff,
    "report": _report,
    "review": _review,
}
