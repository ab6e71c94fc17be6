from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("directives.urls")),
]

# Friendly error pages (templates/403.html, 404.html, 500.html).
handler403 = "directives.views.home.permission_denied"
handler404 = "directives.views.home.page_not_found"
handler500 = "directives.views.home.server_error"
