"""The Code42-shaped admin API, one module per resource under one parent blueprint."""
