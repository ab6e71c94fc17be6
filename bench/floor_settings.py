"""Production settings plus the floor endpoints of ``bench/floor_urls.py``, for ``bench/pages.py --pages
floor_django,floor_drf`` only: the application's own settings are unchanged."""

from compliance.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
