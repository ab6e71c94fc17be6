from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directives"
    verbose_name = "Docket: directives and compliance"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from directives import lookups, record_guards, search_index
        from directives.api.dashboard import render_summary
        from directives.selectors import snapshot
        from directives.views.dashboard import render_live

        lookups.register()
        # SQLite's table rebuilds drop triggers: the search index's are put back after every migrate.
        post_migrate.connect(
            search_index.ensure_sqlite_triggers, sender=self, dispatch_uid="docket-search-triggers"
        )
        # ...and so are the legal record's append-only guards and head trigger.
        post_migrate.connect(
            record_guards.ensure_sqlite_guards, sender=self, dispatch_uid="docket-record-guards"
        )
        # Every process (web, worker) renders the dashboard's snapshot whole: the page's part and the API's.
        snapshot.install({snapshot.LIVE: render_live, snapshot.API: render_summary})
