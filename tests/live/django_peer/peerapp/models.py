"""A User and a Group model with django-scim2's SCIM columns, as its documentation asks a project to add.

Both are plain models (no ``django.contrib.auth`` tables): the peer app has no migration files, and an
app without migrations may not depend on one with them.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django_scim.models import AbstractSCIMGroupMixin, AbstractSCIMUserMixin


class Group(AbstractSCIMGroupMixin):
    """A SCIM group; its members are the users whose ``scim_groups`` include it."""

    name = models.CharField(max_length=254, unique=True)


class User(AbstractSCIMUserMixin, AbstractBaseUser):
    """The fields django-scim2's user adapter reads and writes (those of Django's ``AbstractUser``)."""

    USERNAME_FIELD = "username"
    # SCIM userName values are e-mail addresses up to 254 characters.
    username = models.CharField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    scim_groups = models.ManyToManyField(Group, related_name="user_set", blank=True)
