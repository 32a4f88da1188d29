"""Demo accounts of every role in two départements, for local use only.

The password is public (README.md): ``load_demo`` refuses to run in production.

Loading again updates the accounts in place, found by their e-mail address: they keep
their ids, their sessions and everything a developer did with them; only what is defined
here (role, first name, départements, verified address, password, the profile fields of
``DEMO_PROFILES``) is brought back.
"""

from datetime import date

from django.db import transaction

from accounts import services
from accounts.models import Departement, DepartementContact, User, YoungPersonProfile
from accounts.roles import Role

DEMO_PASSWORD = "jalon-demo-2026"  # noqa: S105 - documented, local demo only
DEMO_DEPARTEMENTS = ("93", "75")

# (email, role, first name, départements of an admin role)
DEMO_ACCOUNTS = [
    ("admin@demo.jalon.fr", "superuser", "Admin", ()),
    ("editeur.national@demo.jalon.fr", Role.NATIONAL_EDITOR, "Nadia", ()),
    ("agent.93@demo.jalon.fr", Role.DEPARTEMENT_STAFF, "Samir", ("93",)),
    ("agent.75@demo.jalon.fr", Role.DEPARTEMENT_STAFF, "Claire", ("75",)),
    ("coordination.93@demo.jalon.fr", Role.COORDINATOR, "Fatou", ("93",)),
    ("coordination.75@demo.jalon.fr", Role.COORDINATOR, "Hugo", ("75",)),
    ("partenaire.93@demo.jalon.fr", Role.PARTNER, "Léa", ("93",)),
    ("mentor.93@demo.jalon.fr", Role.MENTOR, "Marc", ()),
    ("mentor.75@demo.jalon.fr", Role.MENTOR, "Inès", ()),
    ("jeune.93@demo.jalon.fr", Role.YOUNG_PERSON, "Aminata", ()),
    ("jeune.75@demo.jalon.fr", Role.YOUNG_PERSON, "Yanis", ()),
    ("referent.93@demo.jalon.fr", Role.REFERENT, "Léa", ()),
    ("referent.75@demo.jalon.fr", Role.REFERENT, "Karim", ()),
]

DEMO_PROFILES = {
    "jeune.93@demo.jalon.fr": {
        "birth_date": date(2007, 3, 14),
        "departement_id": "93",
        "postcode": "93200",
        "care_leaver": True,
        "care_started_on": date(2019, 9, 1),
        "care_ended_on": date(2026, 6, 30),
        "jeune_majeur_contract": True,
        "apprentice": True,
        "languages": ["fr", "bm"],
    },
    "jeune.75@demo.jalon.fr": {
        "birth_date": date(2009, 9, 2),
        "departement_id": "75",
        "postcode": "75019",
        "in_care": True,
        "unaccompanied_minor": True,
        "student": True,
        "languages": ["prs", "fr", "en"],
    },
}

DEMO_CONTACTS = [
    {
        "departement_id": "93",
        "kind": DepartementContact.Kind.ASE_SERVICE,
        "name": "Service de l'aide sociale à l'enfance (démo)",
        "phone": "01 00 00 93 00",
        "address": "Hôtel du Département, Bobigny",
        "opening_hours": "Mo-Fr 09:00-17:00",
    },
    {
        "departement_id": "93",
        "kind": DepartementContact.Kind.CARE_LEAVER_REFERENT,
        "name": "Référent·e jeunes majeurs (démo)",
        "email": "jeunes-majeurs@demo.jalon.fr",
    },
    {
        "departement_id": "75",
        "kind": DepartementContact.Kind.ASE_SERVICE,
        "name": "Service de l'aide sociale à l'enfance de Paris (démo)",
        "phone": "01 00 00 75 00",
        "opening_hours": "Mo-Fr 09:00-17:00",
    },
    {
        "departement_id": "75",
        "kind": DepartementContact.Kind.HELPLINE,
        "name": "Allô enfance en danger",
        "phone": "119",
        "website": "https://www.allo119.gouv.fr",
        "opening_hours": "24/7",
    },
]


@transaction.atomic
def load_demo_accounts() -> list[User]:
    """Create or update the demo accounts, profiles and contacts. Idempotent."""
    users = [
        _account_upsert(email, role, first_name, codes)
        for email, role, first_name, codes in DEMO_ACCOUNTS
    ]
    for email, fields in DEMO_PROFILES.items():
        YoungPersonProfile.objects.filter(user__email=email).update(**fields)
    for contact in DEMO_CONTACTS:
        DepartementContact.objects.update_or_create(
            departement_id=contact["departement_id"],
            name=contact["name"],
            defaults=contact,
        )
    return users


def _account_upsert(email: str, role: str, first_name: str, codes: tuple[str, ...]) -> User:
    """The demo account of ``email``, made, or brought back to what is defined here."""
    is_superuser = role == "superuser"
    role = Role.NATIONAL_EDITOR if is_superuser else role
    departements = Departement.objects.filter(code__in=codes)
    user = User.objects.filter(email=email).first()
    if user is None:
        return services.user_create(
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first_name,
            departements=departements,
            email_verified=True,
            is_superuser=is_superuser,
        )
    user.role, user.first_name = role, first_name
    user.is_superuser, user.is_active = is_superuser, True
    # A new hash would sign the account out everywhere (sessions hold a hash of it):
    # the password is set again only when it is no longer the demo one.
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "first_name", "is_superuser", "is_active", "password"])
    user.departements.set(departements)
    return services.user_apply_role(user=user)  # staff flag, verified address, profile
