from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    """Django's admin app, serving the archive's own site (``config.admin.ArchiveAdminSite``)."""

    default_site = "config.admin.ArchiveAdminSite"
