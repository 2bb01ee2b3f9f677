"""The mock tenant's Microsoft Graph-shaped surface: token endpoint, directory, synchronization jobs,
schema, audit logs, ``$filter`` and the ``/_sim`` control routes, all over one ``AzureAdRuntime``."""
