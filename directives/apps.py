from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directives"
    verbose_name = "Docket: directives and compliance"

    def ready(self) -> None:
        from directives import lookups
        from directives.api.dashboard import render_summary
        from directives.selectors import snapshot
        from directives.views.dashboard import render_live

        lookups.register()
        # Every process (web, worker) renders the dashboard's snapshot whole: the page's part and the API's.
        snapshot.install({snapshot.LIVE: render_live, snapshot.API: render_summary})
