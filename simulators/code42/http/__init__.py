"""The mock Code42's HTTP layer: the SCIM, admin and simulation-control blueprints."""
