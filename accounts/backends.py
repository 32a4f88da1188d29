"""Admin permissions derived from the user's role."""

from .roles import ROLE_PERMISSIONS


class RolePermissionBackend:
    """Grants each active admin-role user the model permissions of their role.

    It authenticates no one (allauth's backend does); it only answers ``has_perm``.
    Superusers are handled by Django's ``PermissionsMixin`` before any backend.
    """

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or not user_obj.is_staff or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, ()))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
