from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "订阅与提醒"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from alerts.roles import ensure_reader_group

        post_migrate.connect(ensure_reader_group, sender=self)
