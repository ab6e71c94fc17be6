"""Administrators are Django staff: a staff account has the admin's permissions (docs/permissions.md), so
that it needs no superuser flag to use the admin. The admin's own rules still apply to everyone (timeline
entries are read-only there). Signing in is left to the other backends."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend


class StaffAreAdministrators(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.is_active and user_obj.is_staff)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active and user_obj.is_staff)
