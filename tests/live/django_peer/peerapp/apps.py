from django.apps import AppConfig


class PeerAppConfig(AppConfig):
    name = "django_peer.peerapp"
    label = "peerapp"
    default_auto_field = "django.db.models.AutoField"
