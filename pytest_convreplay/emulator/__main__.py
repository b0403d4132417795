"""``python -m pytest_convreplay.emulator``: the emulator in the foreground."""

from . import main

raise SystemExit(main())
