"""pytest plugin entry point (the harness issue fills it in)."""
