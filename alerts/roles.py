"""The "staff reader" group: staff who read the archive and follow searches, but do not curate.

Kept in step after every ``migrate`` (``apps.AlertsConfig.ready``), as the curator group is
(:mod:`archive.roles`). Curators get the same saved-search permissions
(``archive.roles.CURATOR_PERMISSIONS``). Create such users with
``python manage.py add_user USERNAME --role reader`` or in the admin (Users → Groups).
"""

from __future__ import annotations

READERS = "staff reader"

# What saving, editing and deleting one's own saved searches needs (the views check the first).
READER_PERMISSIONS = [
    ("alerts", "add_savedsearch"),
    ("alerts", "change_savedsearch"),
    ("alerts", "delete_savedsearch"),
    ("alerts", "view_savedsearch"),
]


def ensure_reader_group(**kwargs) -> None:
    """Create the reader group if needed and give it exactly READER_PERMISSIONS (a post_migrate receiver)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    create_permissions(global_apps.get_app_config("alerts"), verbosity=0, using=kwargs.get("using", "default"))
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in READER_PERMISSIONS
    ]
    group, _ = Group.objects.get_or_create(name=READERS)
    group.permissions.set(wanted)


def can_subscribe(user) -> bool:
    return user.is_active and user.has_perm("alerts.add_savedsearch")
