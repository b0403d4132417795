"""suite/ is the downstream project the Prism tests run; pytest must not collect it as ours."""

collect_ignore = ["suite"]
