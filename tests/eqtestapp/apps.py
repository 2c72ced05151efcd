from django.apps import AppConfig


class EqTestAppConfig(AppConfig):
    name = "tests.eqtestapp"
    label = "eqtestapp"
    default_auto_field = "django.db.models.BigAutoField"
