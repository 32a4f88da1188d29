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
    REFERENT = "referent", _("Référent")


# Roles that work in the admin panel (they get ``is_staff``).
ADMIN_ROLES = frozenset(
    {Role.COORDINATOR, Role.DEPARTEMENT_STAFF, Role.PARTNER, Role.NATIONAL_EDITOR}
)

# Roles whose admin access is limited to the départements they belong to.
DEPARTEMENT_SCOPED_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTEMENT_STAFF, Role.PARTNER})

# Roles that see every département (national reach).
NATIONAL_ROLES = frozenset({Role.NATIONAL_EDITOR})


def _crud(app_label: str, model: str, *actions: str) -> set[str]:
    return {f"{app_label}.{action}_{model}" for action in actions}


_ALL = ("view", "add", "change", "delete")
_CATALOGUE_CURATION = (
    _crud("services_catalog", "entry", *_ALL)
    | _crud("services_catalog", "entrystep", *_ALL)
    | _crud("services_catalog", "entryclosure", *_ALL)
    | _crud("services_catalog", "structure", *_ALL)
    # What the app's users report as wrong: read and handled, never written by hand;
    # deleted with their entry, or as spam.
    | _crud("services_catalog", "entryerrorreport", "view", "change", "delete")
    | {"services_catalog.publish_entry", "services_catalog.view_thematique"}
)

# Roles whose every session must have passed a second factor, whatever the settings:
# référents see young people's personal data from their first day.
ALWAYS_SECOND_FACTOR_ROLES = frozenset({Role.REFERENT})

# Staff and coordinators invite their département's référents and close their accounts
# (referents.admin): the accounts only, never what a young person shares with them.
_REFERENT_INVITATIONS = _crud("referents", "referentprofile", "view", "add", "change")

# Model permissions ("app_label.codename") granted to each admin role.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.YOUNG_PERSON: frozenset(),
    Role.MENTOR: frozenset(),
    # Référents work in /pro/, never in the admin panel.
    Role.REFERENT: frozenset(),
    Role.COORDINATOR: frozenset(
        {"accounts.view_departement", "accounts.view_departementcontact"}
        | _crud("mentoring", "mentorprofile", "view", "change")
        | _crud("mentoring", "mentoringrequest", "view", "change")
        | _crud("mentoring", "match", "view", "change")
        | _crud("mentoring", "departementmentoring", *_ALL)
        | _crud("mentoring", "conversationreport", "view", "change")
        | _REFERENT_INVITATIONS
    ),
    # Staff also adapt the assessment's référentiel to their département (autonomy.admin).
    Role.DEPARTEMENT_STAFF: frozenset(
        {"accounts.view_departement"}
        | _crud("accounts", "departementcontact", *_ALL)
        | _CATALOGUE_CURATION
        | _REFERENT_INVITATIONS
        | _crud("autonomy", "assessmentitem", *_ALL)
        | _crud("autonomy", "departementitemchoice", *_ALL)
    ),
    # Partners propose entries (drafts they submit); staff review and publish them.
    Role.PARTNER: frozenset(
        {"accounts.view_departement", "services_catalog.view_structure"}
        | _crud("services_catalog", "entry", "view", "add", "change")
        | _crud("services_catalog", "entrystep", *_ALL)
        | _crud("services_catalog", "entryclosure", *_ALL)
    ),
    # National editors also choose the catalogue's procedures of each legal milestone
    # (the same for every département: the law's path).
    Role.NATIONAL_EDITOR: frozenset(
        {"accounts.view_departement", "accounts.view_departementcontact"}
        | _CATALOGUE_CURATION
        | _crud("autonomy", "milestoneentry", *_ALL)
        | _crud("autonomy", "assessmentitem", *_ALL)
    ),
}
