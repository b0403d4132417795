"""pytest-convreplay: record, redact, replay and snapshot-diff OpenAI conversation items."""
