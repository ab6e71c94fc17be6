from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directives"
    verbose_name = "Docket: directives and compliance"

    def ready(self) -> None:
        from directives import lookups

        lookups.register()
