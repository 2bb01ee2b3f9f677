"""A minimal Django project serving PyPI ``django-scim2`` (15five): the second independent SCIM server.

Why a project of our own: django-scim2 is a Django app, not a server; a deployment supplies the user and
group models (its abstract SCIM mixins), the authentication (here one static bearer token, the way Azure
AD authenticates) and the settings. Nothing here changes how django-scim2 answers SCIM requests.
"""
