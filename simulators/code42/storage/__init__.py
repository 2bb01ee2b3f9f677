"""SQLite: the SCIM store and the domain's tables; the only package with SQL."""
