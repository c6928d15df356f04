from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "kesu.clocks"
    label = "clocks"
    verbose_name = "时限与日历"
