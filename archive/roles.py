"""The "curator" group: what curation needs and nothing more (no users, groups or deleting articles).

Kept in step after every ``migrate`` (``apps.ArchiveConfig.ready`` connects it to post_migrate), so
a permission added here reaches existing databases without a data migration. Grant it with
``python manage.py add_curator USERNAME`` or in the admin (Users → Groups).
"""

from __future__ import annotations

CURATORS = "curator"

# (app label, codename)
CURATOR_PERMISSIONS = [
    # Articles: read, correct, hide, merge; see the raw record. Never delete (hide instead).
    ("archive", "view_article"),
    ("archive", "change_article"),
    ("archive", "view_raw_record"),
    ("archive", "view_historicalarticle"),
    # Their places, and the places a curator took off them.
    ("archive", "view_articleplace"),
    ("archive", "add_articleplace"),
    ("archive", "change_articleplace"),
    ("archive", "delete_articleplace"),
    ("archive", "view_removedplace"),
    # Sources: correct name, description, home place.
    ("archive", "view_source"),
    ("archive", "change_source"),
    ("archive", "view_historicalsource"),
    # The gazetteer: read only.
    ("archive", "view_place"),
    # Ingest review: see runs, upload a file (adds a run), fix and retry rejected records.
    ("archive", "view_ingestrun"),
    ("archive", "add_ingestrun"),
    ("archive", "view_ingestrejection"),
    ("archive", "change_ingestrejection"),
    # The lines the corpus signal counts as page template (what ingest cut, and why): read only.
    ("archive", "view_templateline"),
    # Background tasks (uploads, geotagging again, index writes): see what is queued, done or failed.
    ("django_tasks_database", "view_dbtaskresult"),
    # Saved searches and their alerts, as staff readers have them (alerts/roles.py).
    ("alerts", "add_savedsearch"),
    ("alerts", "change_savedsearch"),
    ("alerts", "delete_savedsearch"),
    ("alerts", "view_savedsearch"),
]


def ensure_curator_group(**kwargs) -> None:
    """Create the group if needed and give it exactly CURATOR_PERMISSIONS (a post_migrate receiver)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate may reach us before auth's own receiver has made this app's permissions.
    for config in global_apps.get_app_configs():
        if config.label in {app for app, _ in CURATOR_PERMISSIONS}:
            create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
    group, _ = Group.objects.get_or_create(name=CURATORS)
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in CURATOR_PERMISSIONS
    ]
    group.permissions.set(wanted)


def is_curator(user) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=CURATORS).exists())
