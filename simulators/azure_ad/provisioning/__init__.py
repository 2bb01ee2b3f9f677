"""The mock Entra provisioning service: one job that reads the mock directory and sends SCIM to a
target exactly as Microsoft documents it (azure-ad-behaviour.md §2–§7)."""
