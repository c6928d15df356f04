from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RoutingConfig(AppConfig):
    name = "kesu.routing"
    label = "routing"
    verbose_name = "升级与分派"

    def ready(self) -> None:
        from kesu.routing.defaults import ensure_config

        post_migrate.connect(ensure_config, sender=self)
