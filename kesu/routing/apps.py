from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class RoutingConfig(AppConfig):
    name = "kesu.routing"
    label = "routing"
    verbose_name = "升级与分派"

    def ready(self) -> None:
        from kesu.clocks import config_cache
        from kesu.routing.defaults import ensure_config
        from kesu.routing.models import PolicyConfig, StaffProfile, TierConfig

        post_migrate.connect(ensure_config, sender=self)
        post_migrate.connect(config_cache.clear, sender=self, dispatch_uid="clear-after-migrate")
        for model in (TierConfig, PolicyConfig, StaffProfile):
            post_save.connect(config_cache.clear, sender=model, dispatch_uid=f"clear-{model.__name__}")
            post_delete.connect(config_cache.clear, sender=model, dispatch_uid=f"clear-del-{model.__name__}")
