"""Snapshots: the assertion, the file it checks, and the session's bookkeeping of what was used."""
