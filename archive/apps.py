from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "档案"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
        from .roles import ensure_curator_group

        post_migrate.connect(ensure_curator_group, sender=self)
