"""HTML views, one module per area, each exposing its ``urlpatterns``; ``common`` (what every area shares),
``staging`` (files of a refused intake) and ``directive_page`` (the directive page's context and answers)
serve them."""
