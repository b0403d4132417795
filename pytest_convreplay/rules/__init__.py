"""Rules: the one selector grammar, credential names, redaction rules and masks."""
