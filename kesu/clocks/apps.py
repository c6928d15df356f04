from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ClocksConfig(AppConfig):
    name = "kesu.clocks"
    label = "clocks"
    verbose_name = "时限与日历"

    def ready(self) -> None:
        from kesu.clocks import config_cache
        from kesu.clocks.models import Closure, OfficialDay, OfficialYear, RuleSet, UnitPolicy

        for model in (RuleSet, UnitPolicy, Closure, OfficialYear, OfficialDay):
            post_save.connect(config_cache.clear, sender=model, dispatch_uid=f"clear-{model.__name__}")
            post_delete.connect(config_cache.clear, sender=model, dispatch_uid=f"clear-del-{model.__name__}")
