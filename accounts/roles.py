"""The roles of DESIGN.md and what each may do in the admin panel.

A user has exactly one role. Admin permissions are derived from it by
``accounts.backends.RolePermissionBackend``: later capabilities add the permissions
of their models to ``ROLE_PERMISSIONS`` rather than managing groups by hand.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    YOUNG_PERSON = "young_person", _("Young person")
    MENTOR = "mentor", _("Mentor")
    COORDINATOR = "coordinator", _("Mentoring coordinator")
    DEPARTEMENT_STAFF = "departement_staff", _("Département staff")
    PARTNER = "partner", _("Partner organisation")
    NATIONAL_EDITOR = "national_editor", _("National editor")


# Roles that work in the admin panel (they get ``is_staff``).
ADMIN_ROLES = frozenset(
    {Role.COORDINATOR, Role.DEPARTEMENT_STAFF, Role.PARTNER, Role.NATIONAL_EDITOR}
)

# Roles whose admin access is limited to the départements they belong to.
DEPARTEMENT_SCOPED_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTEMENT_STAFF, Role.PARTNER})

# Roles that see every département (national reach).
NATIONAL_ROLES = frozenset({Role.NATIONAL_EDITOR})

# Model permissions ("app_label.codename") granted to each admin role.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.YOUNG_PERSON: frozenset(),
    Role.MENTOR: frozenset(),
    Role.COORDINATOR: frozenset(
        {
            "accounts.view_departement",
            "accounts.view_departementcontact",
        }
    ),
    Role.DEPARTEMENT_STAFF: frozenset(
        {
            "accounts.view_departement",
            "accounts.view_departementcontact",
            "accounts.add_departementcontact",
            "accounts.change_departementcontact",
            "accounts.delete_departementcontact",
        }
    ),
    Role.PARTNER: frozenset({"accounts.view_departement"}),
    Role.NATIONAL_EDITOR: frozenset(
        {
            "accounts.view_departement",
            "accounts.view_departementcontact",
        }
    ),
}
