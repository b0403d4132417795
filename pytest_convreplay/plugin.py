"""pytest glue: options, markers and fixtures; every decision lives in the modules it calls."""
