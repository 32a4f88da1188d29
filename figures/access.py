"""Who reads which figures: a département's staff (its curators) theirs, national
editors all. Coordinators vet mentors and pairs; DESIGN.md gives them no figures.

The one rule for every aggregate shown anywhere: the API, the admin's dashboard and
the vault's usage page all ask here.
"""

from django.db.models import QuerySet

from accounts.models import Departement
from accounts.roles import Role
from accounts.scoping import departements_for_user, user_sees_all_departements

FIGURES_ROLES = frozenset({Role.DEPARTEMENT_STAFF})


def may_read_national(user) -> bool:
    """National editors and superusers: the national view and every département."""
    return user.is_authenticated and user_sees_all_departements(user)


def may_read_figures(user) -> bool:
    """Whether ``user`` reads any figures at all (the admin's pages for them)."""
    return may_read_national(user) or (
        user.is_authenticated and getattr(user, "role", None) in FIGURES_ROLES
    )


def readable_departements(user) -> QuerySet[Departement]:
    """The départements whose figures ``user`` may read: those they work on, for
    national reach and département staff (the scoping of the admin panel)."""
    if may_read_figures(user):
        return departements_for_user(user)
    return Departement.objects.none()


def may_read_departement(user, code: str) -> bool:
    """Staff of ``code``, national editors and superusers (any code: an unknown one
    is then a 404, not a 403)."""
    return may_read_national(user) or readable_departements(user).filter(code=code).exists()
