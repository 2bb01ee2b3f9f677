"""Code42's rules and services: what the mock adds on top of a plain SCIM service provider."""
