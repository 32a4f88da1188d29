"""Who reads which figures: a département's staff (its curators) theirs, national
editors all. Coordinators vet mentors and pairs; DESIGN.md gives them no figures."""

from accounts.roles import Role
from accounts.scoping import user_sees_all_departements

FIGURES_ROLES = frozenset({Role.DEPARTEMENT_STAFF})


def may_read_departement(user, code: str) -> bool:
    """Staff of ``code``, national editors and superusers."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user_sees_all_departements(user):
        return True
    return user.role in FIGURES_ROLES and user.departements.filter(code=code).exists()


def may_read_national(user) -> bool:
    """National editors and superusers: the national view and every département."""
    return user.is_authenticated and user_sees_all_departements(user)


def readable_departements(user) -> list[str]:
    """The codes whose figures ``user`` may read (all of them for national reach)."""
    from accounts.models import Departement

    if not (user.is_authenticated and user.is_active):
        return []
    if user_sees_all_departements(user):
        return list(Departement.objects.values_list("code", flat=True))
    if user.role in FIGURES_ROLES:
        return list(user.departements.values_list("code", flat=True))
    return []
