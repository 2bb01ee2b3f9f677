"""Settings for the django-scim2 peer; the database path, host:port and token come from the environment."""

from __future__ import annotations

import os

SECRET_KEY = os.environ.get("DJANGO_PEER_SECRET_KEY", "peer-not-secret")  # no sessions or signing are used
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "django_peer.urls"
INSTALLED_APPS = ["django_scim", "django_peer.peerapp"]
MIDDLEWARE = ["django_peer.auth.BearerTokenMiddleware", "django_scim.middleware.SCIMAuthCheckMiddleware"]
AUTH_USER_MODEL = "peerapp.User"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_PEER_DB"]}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SCIM_SERVICE_PROVIDER = {
    "NETLOC": os.environ.get("DJANGO_PEER_NETLOC", "127.0.0.1"),
    "SCHEME": "http",
    "GROUP_MODEL": "django_peer.peerapp.models.Group",
    "AUTHENTICATION_SCHEMES": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
                                "description": "Authentication with a static bearer token"}],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="django-scim2"',
}
LOGGING = {"version": 1, "disable_existing_loggers": True}
