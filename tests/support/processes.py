"""Child processes the tests stop with Ctrl-C (SIGINT)."""

from __future__ import annotations

import signal


def ctrl_c_delivered() -> None:
    """``preexec_fn`` for a child that must stop on SIGINT: a shell starts background jobs
    (``.ci/run &``, ``nohup``) with SIGINT ignored, every descendant inherits that, and Python then
    never raises KeyboardInterrupt, so the child would run on until killed."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
