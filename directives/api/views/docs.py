"""The interactive API documentation."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI that runs under the strict CSP: no CDN, no inline script or style."""

    template_name = "api/swagger_ui.html"
    title = "Docket API"
