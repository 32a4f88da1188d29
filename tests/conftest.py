"""Fixtures shared by the whole suite: named users for every role, API clients, guards."""

import base64
import io
import ipaddress
import json
import socket
import time
from importlib import import_module
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Departement, User
from accounts.roles import Role

PASSWORD = "correct-horse-battery-42"
APP_AUTH = "/_allauth/app/v1"
TEST_KEYRING = json.dumps({"current": "1", "keys": {"1": base64.b64encode(b"k" * 32).decode()}})

_real_connect = socket.socket.connect


def _loopback_only_connect(sock, address):
    """Tests talk to this machine's services only; anything else is a bug in the test."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            is_local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_local = host == "localhost"
        if not is_local:
            raise OSError(f"network access outside this machine in a test: {address!r}")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True, scope="session")
def _no_outside_network():
    socket.socket.connect = _loopback_only_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the test database is a file under var/ rather than memory, so that
    ``--reuse-db`` (pyproject's addopts) keeps it, migrated, from one run to the next."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test = database.setdefault("TEST", {})
        if not test.get("NAME"):  # Django fills in None: in memory
            test["NAME"] = str(Path(django_settings.VAR_DIR) / "test-jalon.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _kept_database_left_whole(django_db_setup, django_db_blocker, django_db_keepdb):
    """A kept test database (``--reuse-db``) must be whole for the next run: Django empties
    every table after a transactional test, the rows the migrations wrote (départements,
    themes) included, so they are put back at the end of the run, as
    ``serialized_rollback`` does before such a test."""
    yield
    if not django_db_keepdb:
        return
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not Departement.objects.exists():
            connection.creation.deserialize_db_from_string(contents)


def _files_settings(root: Path) -> dict:
    """Settings of a test's files: a fast hasher, a fixed keyring, blobs under ``root``."""
    return {
        # The suite signs in hundreds of times; production keeps PBKDF2.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "MEDIA_ROOT": root / "media",
        "VAULT_KEYRING": TEST_KEYRING,
        "STORAGES": {
            **django_settings.STORAGES,
            "vault": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(root / "vault")},
            },
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, request):
    # Each test has its own vault (blobs under its temporary directory), but the tests of a
    # module that share the demo (``demo_loaded``) read the blobs it wrote.
    root = tmp_path
    if "demo_loaded" in request.fixturenames:
        root = request.getfixturevalue("demo_loaded")
    for name, value in _files_settings(root).items():
        setattr(settings, name, value)
    # A test reads the catalogue's lists right after changing it (tests/services_catalog/
    # test_list_answers.py tests the reuse of the version read).
    settings.CATALOGUE_VERSION_MAX_AGE = 0
    # Rate limits and throttles count in the real cache: start each test from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``make run``'s demo, loaded once for all the tests of a module that ask for it.

    The demo stays in a transaction that is rolled back after the module's last test;
    each test runs in a savepoint of it, so each meets the demo as it was just loaded.
    A module that uses it must not hold a test that needs an empty database (the demo
    is there for every test after the first that asks for it). Gives the root of the
    files the demo wrote (its vault's blobs).
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    root = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock(), override_settings(**_files_settings(root)):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cache.clear()
            call_command("load_demo", stdout=io.StringIO())
            yield root
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.fixture
def make_user(db):
    """Create a verified account: ``make_user("a@b.fr", Role.MENTOR, departements=["93"])``."""

    def _make(email, role=Role.YOUNG_PERSON, *, departements=(), **extra):
        return services.user_create(
            email=email,
            password=PASSWORD,
            role=role,
            departements=Departement.objects.filter(code__in=departements),
            email_verified=True,
            **extra,
        )

    return _make


@pytest.fixture
def young_person(make_user):
    user = make_user("aminata@example.org", first_name="Aminata")
    user.profile.departement_id = "93"
    user.profile.save()
    return user


@pytest.fixture
def other_young_person(make_user):
    user = make_user("yanis@example.org", first_name="Yanis")
    user.profile.departement_id = "75"
    user.profile.postcode = "75019"
    user.profile.save()
    return user


@pytest.fixture
def mentor(make_user):
    """A mentor; approved in 93 where a test needs it (their département is their
    application's)."""
    return make_user("marc.mentor@example.org", Role.MENTOR, first_name="Marc")


@pytest.fixture
def other_mentor(make_user):
    """Another mentor, in no match with anyone unless a test pairs them."""
    return make_user("nadia.mentor@example.org", Role.MENTOR, first_name="Nadia")


@pytest.fixture
def mentor_75(make_user):
    """A second mentor, for 75 where a test approves them: in no match with the 93 mentee."""
    return make_user("mentor.75@example.org", Role.MENTOR, first_name="Sacha")


@pytest.fixture
def staff_93(make_user):
    return make_user("agent.93@example.org", Role.DEPARTEMENT_STAFF, departements=["93"])


@pytest.fixture
def staff_75(make_user):
    return make_user("agent.75@example.org", Role.DEPARTEMENT_STAFF, departements=["75"])


@pytest.fixture
def coordinator_93(make_user):
    return make_user("coord.93@example.org", Role.COORDINATOR, departements=["93"])


@pytest.fixture
def coordinator_75(make_user):
    return make_user("coord.75@example.org", Role.COORDINATOR, departements=["75"])


@pytest.fixture
def partner_93(make_user):
    return make_user("partenaire.93@example.org", Role.PARTNER, departements=["93"])


@pytest.fixture
def partner_75(make_user):
    return make_user("partenaire.75@example.org", Role.PARTNER, departements=["75"])


@pytest.fixture
def national_editor(make_user):
    return make_user("editeur@example.org", Role.NATIONAL_EDITOR)


@pytest.fixture
def superuser(make_user):
    return make_user("root@example.org", Role.NATIONAL_EDITOR, is_superuser=True)


def totp_enrol(user) -> str:
    """Give ``user`` a TOTP authenticator (allauth's own activation); return its secret."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        return decrypt(authenticator.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code_for_secret(secret: str) -> str:
    """The code a phone shows now for ``secret``. Near the end of a 30-second period it
    waits for the next one: a code read at 29.9 s is refused once the server checks it
    in the next period (allauth allows no drift by default)."""
    remaining = 30 - time.time() % 30
    if remaining < 2:
        time.sleep(remaining + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def totp_code(user) -> str:
    """The current TOTP code of ``user``'s authenticator, as their phone shows it."""
    secret = totp_enrol(user)
    code = totp_code_for_secret(secret)
    # allauth refuses a code used once within its 30 seconds; a test signing the same
    # person in twice stands for sign-ins further apart.
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code


def second_factor_required_of(user) -> bool:
    """Staff and référents sign in with their second factor (whatever the settings)."""
    return bool(user.is_staff or user.is_superuser or user.role == Role.REFERENT)


def login_token(
    client: APIClient, email: str, password: str = PASSWORD, *, second_factor: bool = True
) -> str:
    """Sign in through allauth's app API, as the mobile app does; return the session token.

    A staff account signs in with its second factor, as it must: the helper gives it a
    TOTP authenticator if it has none, and answers allauth's ``mfa_authenticate`` stage.
    With ``second_factor=False``, a staff account with no authenticator signs in with its
    password alone (as before it enrols).
    """
    user = User.objects.filter(email__iexact=email).first()
    if second_factor and user is not None and second_factor_required_of(user):
        totp_enrol(user)
    response = client.post(
        f"{APP_AUTH}/auth/login", {"email": email, "password": password}, format="json"
    )
    body = response.json()
    pending = [f["id"] for f in body.get("data", {}).get("flows", []) if f.get("is_pending")]
    if response.status_code == 401 and pending == ["mfa_authenticate"]:
        response = client.post(
            f"{APP_AUTH}/auth/2fa/authenticate",
            {"code": totp_code(user)},
            format="json",
            HTTP_X_SESSION_TOKEN=body["meta"]["session_token"],
        )
        body = response.json()
    assert response.status_code == 200, response.content
    return body["meta"]["session_token"]


def signed_in_token(user) -> str:
    """A session token for ``user`` such as a finished sign-in leaves it: the password
    proved and, for staff and référents, the second factor (with a TOTP authenticator).

    The session is made directly, as Django's ``Client.force_login`` makes a cookie
    session, instead of through allauth's sign-in requests: the suite signs in thousands
    of times, and the sign-in itself is walked by ``tests/accounts`` (``login_token``).
    What reads the token (allauth's ``X-Session-Token``, the second-factor rule, the
    session store) is the real one.
    """
    from allauth.account.internal.flows.login import record_authentication
    from django.contrib.auth import login
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    record_authentication(request, user, method="password", email=user.email)
    if second_factor_required_of(user):
        totp_enrol(user)
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(request, user, method="mfa", id=authenticator.pk, type="totp")
    request.session.save()
    return request.session.session_key


def session_shift(token: str, seconds: float) -> None:
    """As if the sign-ins of the session of ``token`` (and its last use) had happened
    ``seconds`` earlier: how a test lets the reauthentication window or the session's
    lifetime pass."""
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(token)
    records = session["account_authentication_methods"]
    session["account_authentication_methods"] = [{**r, "at": r["at"] - seconds} for r in records]
    if "jalon_touched_at" in session:
        session["jalon_touched_at"] -= seconds
    session.save()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client signed in as ``user``: a real session token (``signed_in_token``)."""

    def _client(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_X_SESSION_TOKEN=signed_in_token(user))
        return client

    return _client


# --- Référents: linked (every scope, or fewer), not linked, link ended, of another département


def _referent(make_user, email, *, first_name, departement, structure_name, profession):
    """A référent's account with its profile, working at a structure of ``departement``."""
    from referents.models import ReferentProfile
    from services_catalog.models import Structure

    user = make_user(email, Role.REFERENT, first_name=first_name)
    structure = Structure.objects.create(departement_id=departement, name=structure_name)
    ReferentProfile.objects.create(
        user=user, departement_id=departement, structure=structure, profession=profession
    )
    return user


def _linked(referent, young_person, scopes):
    """The young person accepts the référent's code: the link their consent makes."""
    from referents import services as referent_services

    invitation, _code = referent_services.invitation_code_create(
        referent=referent, label=young_person.first_name, suggested_scopes=scopes
    )
    return referent_services.invitation_accept(
        young_person=young_person, invitation=invitation, scopes=scopes
    )


@pytest.fixture
def referent(make_user, young_person):
    """A référent of 93 whom the young person of 93 linked with every scope."""
    from referents.models import Profession, Scope

    user = _referent(
        make_user,
        "lea.referente@example.org",
        first_name="Léa",
        departement="93",
        structure_name="MECS Les Tilleuls",
        profession=Profession.ASE_EDUCATOR,
    )
    _linked(user, young_person, Scope.values)
    return user


@pytest.fixture
def referent_few_scopes(make_user, young_person):
    """A référent of 93 whom the young person of 93 linked with the profile scope only."""
    from referents.models import Profession, Scope

    user = _referent(
        make_user,
        "karim.referent@example.org",
        first_name="Karim",
        departement="93",
        structure_name="Mission locale de Bondy",
        profession=Profession.MISSION_LOCALE,
    )
    _linked(user, young_person, [Scope.PROFILE])
    return user


@pytest.fixture
def referent_unlinked(make_user):
    """A référent of 93 whom nobody linked."""
    from referents.models import Profession

    return _referent(
        make_user,
        "sophie.referente@example.org",
        first_name="Sophie",
        departement="93",
        structure_name="Service social de Montreuil",
        profession=Profession.SOCIAL_WORKER,
    )


@pytest.fixture
def referent_ended(make_user, young_person):
    """A référent of 93 whom the young person of 93 linked, then unlinked."""
    from referents import services as referent_services
    from referents.models import Profession, Scope

    user = _referent(
        make_user,
        "bruno.referent@example.org",
        first_name="Bruno",
        departement="93",
        structure_name="Foyer de Pantin",
        profession=Profession.CARE_HOME_EDUCATOR,
    )
    referent_services.link_end(link=_linked(user, young_person, Scope.values))
    return user


@pytest.fixture
def referent_75(make_user):
    """A référent of Paris, linked with nobody."""
    from referents.models import Profession

    return _referent(
        make_user,
        "claire.referente@example.org",
        first_name="Claire",
        departement="75",
        structure_name="Mission locale de Paris",
        profession=Profession.MISSION_LOCALE,
    )
