from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kesu.web"
    label = "web"
    verbose_name = "工作台页面"
