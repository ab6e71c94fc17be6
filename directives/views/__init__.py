"""HTML views, one module per user's area. Each module exposes ``urlpatterns``."""
