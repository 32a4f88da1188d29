"""Permissions by role, shared by the apps' API views."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .roles import Role


class _HasRole(permissions.IsAuthenticated):
    role: str

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.role == self.role


class IsYoungPerson(_HasRole):
    role = Role.YOUNG_PERSON
    message = _("This part of Jalon is for young people only.")


class IsMentor(_HasRole):
    role = Role.MENTOR
    message = _("This part of Jalon is for mentors only.")
