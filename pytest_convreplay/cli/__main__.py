"""``python -m pytest_convreplay.cli``."""

from .main import main

raise SystemExit(main())
