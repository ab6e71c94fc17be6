"""Signing in with the company's identity provider (OpenID Connect), the sign-in audit record, and the
local-password and API-token policy that goes with it. Its own Django app (label ``sso``) inside the
directives package: its models and migrations are its own."""
