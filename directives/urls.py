import importlib

from django.urls import URLPattern, URLResolver, path

from .health import healthz
from .views import auth as auth_views
from .views import home as home_views

# Each area's module contributes its own urlpatterns (see directives/views/).
urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    *auth_views.urlpatterns,
    *home_views.urlpatterns,
]

# Areas built in parallel: included as soon as their module exists, so that nobody has to edit this file
# to wire a page. A module that exists but fails to import still fails loudly.
for _area in ("legal", "timeline", "reports", "calendar", "tasks", "dashboard", "files"):
    try:
        _module = importlib.import_module(f"{__package__}.views.{_area}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{__package__}.views.{_area}":
            raise
        continue
    urlpatterns += _module.urlpatterns
