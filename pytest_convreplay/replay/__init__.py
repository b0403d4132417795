"""Replay: load → index → answer, offline; what cannot be answered fails with one clear message."""
