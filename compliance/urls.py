from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from directives.api.exceptions import api_not_found
from directives.api.views import DocsView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("directives.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    path("", include("directives.sso.urls")),
    path("", include("directives.urls")),
]

# Friendly error pages (templates/403.html, 404.html, 500.html).
handler403 = "directives.views.home.permission_denied"
handler404 = "directives.views.home.page_not_found"
handler500 = "directives.views.home.server_error"
