from django.urls import path

from .health import healthz

# Each area's module contributes its own urlpatterns (see directives/views/).
urlpatterns = [
    path("healthz", healthz, name="healthz"),
]
