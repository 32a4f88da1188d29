"""Demo accounts of every role in two départements, for local use only.

The password is public (README.md): ``load_demo_data`` refuses to run in production.
"""

from datetime import date

from django.db import transaction

from . import services
from .models import Departement, DepartementContact, User, YoungPersonProfile
from .roles import Role

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
]

DEMO_PROFILES = {
    "jeune.93@demo.jalon.fr": {
        "birth_date": date(2007, 3, 14),
        "departement_id": "93",
        "postcode": "93200",
        "care_leaver": True,
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
def load_demo_data() -> list[User]:
    """Create (or reset) the demo accounts, profiles and contacts. Idempotent."""
    users = []
    for email, role, first_name, codes in DEMO_ACCOUNTS:
        for existing in User.objects.filter(email=email):
            services.user_erase(user=existing)  # with their vault, keys and blobs
        is_superuser = role == "superuser"
        users.append(
            services.user_create(
                email=email,
                password=DEMO_PASSWORD,
                role=Role.NATIONAL_EDITOR if is_superuser else role,
                first_name=first_name,
                departements=Departement.objects.filter(code__in=codes),
                email_verified=True,
                is_superuser=is_superuser,
            )
        )
    for email, fields in DEMO_PROFILES.items():
        YoungPersonProfile.objects.filter(user__email=email).update(**fields)
    for contact in DEMO_CONTACTS:
        DepartementContact.objects.update_or_create(
            departement_id=contact["departement_id"],
            name=contact["name"],
            defaults=contact,
        )
    return users
