"""Recording: vcrpy wiring, record modes, the per-test engine and the handle tests get."""
