"""The user and group models django-scim2 needs (its abstract SCIM mixins on Django's own models)."""
