"""A real OpenID Connect provider for the sign-in tests: django-oauth-toolkit's, in a Django project of its
own (RS256 keys, a ``groups`` claim, PKCE required, RP-initiated logout), started as a separate process on
a free port with its own SQLite file by ``tests/sso/provider.py``. Test-only; never part of Docket."""
