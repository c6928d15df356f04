from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kesu.cases"
    label = "cases"
    verbose_name = "投诉案件"
