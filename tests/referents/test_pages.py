"""What a référent does in ``/pro/``, through the pages, as they would: signed in through
allauth's browser pages with their second factor, on real links the young person made."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from accounts.models import Departement
from mentoring.agenda import services as agenda
from referents import selectors, services
from referents.models import DemarcheProposal, Link, LinkInvitation, Note, ReferentProfile
from services_catalog import services as catalogue
from services_catalog.models import Demarche, Structure
from tests.conftest import PASSWORD, totp_code_for_secret
from tests.vault import conftest as vault_fixtures
from tests.vault import samples
from vault.models import AccessEvent

from .links import catalogue_entry
from .pages import browser_client

pytestmark = pytest.mark.django_db

make_document = vault_fixtures.make_document  # the vault tests' fixture, shared
API = "/api/v1/me/referents/"


def _link_of(referent) -> Link:
    return selectors.young_people_links_for_user(user=referent).get()


def _readings(young_person) -> int:
    return AccessEvent.objects.filter(owner=young_person, action=AccessEvent.Action.READ).count()


def test_the_sign_in_page_offers_no_sign_up_and_a_referent_lands_on_their_young_people(
    referent,
):
    page = Client().get("/accounts/login/").content.decode()
    assert "signup" not in page and "inscri" not in page.lower()
    client = browser_client(referent)
    assert client.get("/pro/").status_code == 200
    # allauth sends a référent to /pro/ after the second factor (not to the admin).
    fresh = Client()
    fresh.post("/accounts/login/", {"login": referent.email, "password": PASSWORD})
    from tests.conftest import totp_code

    answer = fresh.post("/accounts/2fa/authenticate/", {"code": totp_code(referent)})
    assert answer["Location"] == "/pro/"


def test_a_referent_without_a_second_factor_is_sent_to_set_it_up(make_user):
    from referents.models import Profession

    user = make_user("nouvelle@example.org", "referent", first_name="Inès")
    ReferentProfile.objects.create(
        user=user, departement_id="93", profession=Profession.SOCIAL_WORKER
    )
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.get("/pro/")
    assert response.status_code == 302 and response["Location"] == "/pro/bienvenue/"
    assert client.get("/pro/").status_code == 302  # signed out, not only redirected
    assert "_auth_user_id" not in client.session


@pytest.fixture
def invited(staff_93, django_capture_on_commit_callbacks):
    structure = Structure.objects.create(name="MECS Les Lilas", departement_id="93")
    with django_capture_on_commit_callbacks(execute=True):
        profile, code = services.referent_invite(
            email="nadia@mecs-lilas.fr",
            first_name="Nadia",
            departement=Departement.objects.get(pk="93"),
            structure=structure,
            profession="care_home_educator",
            invited_by=staff_93,
        )
    return profile.user, code


def _welcome_secret(client) -> str:
    page = client.get("/pro/bienvenue/").content.decode()
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page)[1]


def test_an_invited_referent_sets_password_and_second_factor_with_the_invitation_code(
    invited, mailoutbox
):
    user, code = invited
    assert code in mailoutbox[0].body and "/pro/bienvenue/" in mailoutbox[0].body
    client = Client()
    secret = _welcome_secret(client)
    response = client.post(
        "/pro/bienvenue/",
        {
            "email": user.email.upper(),
            "invitation_code": code.lower(),
            "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide",
            "totp_code": totp_code_for_secret(secret),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/pro/"
    assert client.get("/pro/").status_code == 200
    user.refresh_from_db()
    assert user.check_password("une phrase de passe solide")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.parametrize("wrong", ["code", "totp", "password", "email"])
def test_a_wrong_welcome_form_says_why_and_changes_nothing(invited, wrong):
    user, code = invited
    client = Client()
    secret = _welcome_secret(client)
    data = {
        "email": user.email,
        "invitation_code": code,
        "password1": "une phrase de passe solide",
        "password2": "une phrase de passe solide",
        "totp_code": totp_code_for_secret(secret),
    }
    data |= {
        "code": {"invitation_code": "AAAA-BBBB-CCCC-DDDD"},
        "totp": {"totp_code": "000000" if data["totp_code"] != "000000" else "111111"},
        "password": {"password1": "court", "password2": "court"},
        "email": {"email": "quelqu.un@example.org"},
    }[wrong]
    response = client.post("/pro/bienvenue/", data)
    assert response.status_code == 400
    assert b'class="error' in response.content
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not Authenticator.objects.filter(user=user).exists()
    assert "_auth_user_id" not in client.session


def test_the_welcome_page_never_tells_whether_an_address_is_a_referents(invited, referent):
    """A known référent's address with a wrong code reads as an unknown address; ten
    failures an hour from one address, then 429 (even with the right answers)."""
    user, code = invited
    client = Client()
    secret = _welcome_secret(client)

    def attempt(email, invitation_code):
        data = {
            "email": email,
            "invitation_code": invitation_code,
            "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide",
            "totp_code": totp_code_for_secret(secret),
        }
        response = client.post("/pro/bienvenue/", data)
        alert = re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S)
        return response.status_code, re.sub(r"<[^>]+>", "", alert[1]).strip()

    known = attempt(referent.email, "AAAA-BBBB")  # an active référent, a wrong code
    unknown = attempt("personne@example.org", "AAAA-BBBB")
    assert known == unknown and known[0] == 400
    for _ in range(8):
        attempt("personne@example.org", "AAAA-BBBB")
    status, errors = attempt(user.email, code)  # right, but too late this hour
    assert status == 429 and errors.startswith("Trop")
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_mes_jeunes_shows_what_needs_attention_and_logs_one_reading_each(referent, young_person):
    today = timezone.localdate()
    profile = young_person.profile
    eighteen_on = today + timedelta(days=30)
    profile.birth_date = eighteen_on.replace(year=eighteen_on.year - 18)
    profile.save()
    demarche = catalogue.demarche_start(user=young_person, entry=catalogue_entry())
    Demarche.objects.filter(pk=demarche.pk).update(updated_at=timezone.now() - timedelta(days=45))
    agenda.appointment_save(
        owner=young_person,
        data={
            "title": "Mission locale",
            "starts_at": timezone.now() + timedelta(days=2),
            "shared_with_referents": True,
        },
    )
    before = _readings(young_person)
    page = browser_client(referent).get("/pro/").content.decode()
    assert "Aminata" in page
    attention = re.search(r'<ul class="attention".*?</ul>', page, re.S)[0]
    assert attention.count("<li>") == 3  # the appointment, the stalled procedure, 18 soon
    assert "Ouvrir un compte bancaire" in attention
    assert _readings(young_person) == before + 1


def test_the_young_persons_page_shows_only_what_they_share_and_a_change_applies_at_once(
    referent_few_scopes, young_person, client_for
):
    catalogue.demarche_start(user=young_person, entry=catalogue_entry("Demander la CSS"))
    link = _link_of(referent_few_scopes)
    client = browser_client(referent_few_scopes)
    page = client.get(f"/pro/jeunes/{link.pk}/").content.decode()
    assert "Seine-Saint-Denis" in page and "Demander la CSS" not in page
    young = client_for(young_person)
    assert young.patch(f"{API}{link.pk}/", {"scopes": []}, format="json").status_code == 200
    page = client.get(f"/pro/jeunes/{link.pk}/").content.decode()
    assert "Seine-Saint-Denis" not in page  # the profile (the label is the référent's own)
    assert young.patch(f"{API}{link.pk}/", {"scopes": ["demarches"]}, format="json")
    page = client.get(f"/pro/jeunes/{link.pk}/").content.decode()
    assert "Demander la CSS" in page
    assert re.search(r"0 étape sur \d+", page)  # progress, with French agreement
    young.delete(f"{API}{link.pk}/")
    assert client.get(f"/pro/jeunes/{link.pk}/").status_code == 404


def test_each_opening_of_a_young_persons_page_is_one_line_of_their_log(
    referent, young_person, client_for
):
    link = _link_of(referent)
    client = browser_client(referent)
    before = _readings(young_person)
    client.get(f"/pro/jeunes/{link.pk}/")
    client.get(f"/pro/jeunes/{link.pk}/")
    assert _readings(young_person) == before + 2
    log = client_for(young_person).get("/api/v1/vault/access-log/?action=read").json()
    assert log["results"][0]["who"].startswith("Léa")
    assert set(log["results"][0]["scopes"]) == {"profile", "demarches", "appointments"}


def test_a_note_reaches_the_young_person_and_an_empty_one_changes_nothing(
    referent, young_person, client_for
):
    link = _link_of(referent)
    client = browser_client(referent)
    empty = client.post(f"/pro/jeunes/{link.pk}/notes/", {"body": "   "})
    assert empty.status_code == 400 and not Note.objects.exists()
    sent = client.post(f"/pro/jeunes/{link.pk}/notes/", {"body": "Pense à ta carte Vitale."})
    assert sent.status_code == 302
    notes = client_for(young_person).get(f"{API}notes/").json()["results"]
    assert [note["body"] for note in notes] == ["Pense à ta carte Vitale."]
    assert notes[0]["author"].startswith("Léa")


def test_a_proposed_procedure_waits_for_the_young_persons_answer(
    referent, young_person, client_for
):
    entry = catalogue_entry("Demander le pécule")
    link = _link_of(referent)
    client = browser_client(referent)
    found = client.get(f"/pro/jeunes/{link.pk}/proposer/?q=pécule").content.decode()
    assert "Demander le pécule" in found
    assert client.post(f"/pro/jeunes/{link.pk}/proposer/", {"entry": 99999}).status_code == 400
    assert client.post(f"/pro/jeunes/{link.pk}/proposer/", {"entry": "x"}).status_code == 400
    assert not DemarcheProposal.objects.exists()
    assert client.post(f"/pro/jeunes/{link.pk}/proposer/", {"entry": entry.pk}).status_code == 302
    assert not Demarche.objects.filter(user=young_person).exists()  # not before they accept
    page = client.get(f"/pro/jeunes/{link.pk}/").content.decode()
    assert 'Demander le pécule — <span class="badge">Proposée</span>' in page
    young = client_for(young_person)
    (proposal,) = young.get(f"{API}proposals/").json()["results"]
    assert young.post(f"{API}proposals/{proposal['id']}/accept/").status_code == 200
    assert Demarche.objects.filter(user=young_person, entry=entry).exists()
    page = client.get(f"/pro/jeunes/{link.pk}/").content.decode()
    assert 'Demander le pécule — <span class="badge">Acceptée</span>' in page


def test_an_invitation_code_links_only_once_the_young_person_accepts(
    referent_unlinked, young_person, client_for
):
    client = browser_client(referent_unlinked)
    page = client.post("/pro/inviter/", {"kind": "code", "code-label": "Aminata B."})
    code = re.search(r'id="new-code">([A-Z0-9-]+)<', page.content.decode())[1]
    assert "Aminata" not in client.get("/pro/").content.decode()
    young = client_for(young_person)
    invitation = young.post(f"{API}code/", {"code": code}, format="json").json()
    accepted = young.post(
        f"{API}invitations/{invitation['id']}/accept/",
        {"code": code, "scopes": ["profile"]},
        format="json",
    )
    assert accepted.status_code == 201
    assert "Aminata" in client.get("/pro/").content.decode()


def test_an_invitation_by_e_mail_says_the_same_whether_an_account_exists_or_not(
    referent_unlinked, young_person, client_for
):
    client = browser_client(referent_unlinked)
    answers = [
        client.post(
            "/pro/inviter/", {"kind": "email", "email-email": email}, follow=True
        ).content.decode()
        for email in (young_person.email, "personne@example.org")
    ]
    said = [
        re.findall(
            r"<li[^>]*>(.*?)</li>", re.search(r'<ul class="messages".*?</ul>', answer, re.S)[0]
        )[-1]
        for answer in answers
    ]
    assert said[0] == said[1]
    (waiting,) = client_for(young_person).get(f"{API}invitations/").json()
    assert waiting["referent"]["first_name"] == "Sophie"
    bad = client.post("/pro/inviter/", {"kind": "email", "email-email": "pas une adresse"})
    assert bad.status_code == 400
    assert LinkInvitation.objects.count() == 2


def test_a_referent_withdraws_an_invitation(referent_unlinked):
    invitation, _code = services.invitation_code_create(referent=referent_unlinked)
    client = browser_client(referent_unlinked)
    assert client.post(f"/pro/invitations/{invitation.pk}/retirer/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None and not invitation.is_open()


def test_an_invitation_already_accepted_is_not_withdrawn(referent_unlinked, young_person):
    invitation, _code = services.invitation_code_create(referent=referent_unlinked)
    services.invitation_accept(young_person=young_person, invitation=invitation, scopes=[])
    client = browser_client(referent_unlinked)
    response = client.post(f"/pro/invitations/{invitation.pk}/retirer/", follow=True)
    assert "a déjà répondu" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None and invitation.accepted_at is not None


def test_a_referent_ends_a_link_after_confirming(referent, young_person, client_for):
    link = _link_of(referent)
    client = browser_client(referent)
    assert client.get(f"/pro/jeunes/{link.pk}/fin/").status_code == 200
    assert Link.objects.get(pk=link.pk).ended_at is None  # the page only asks
    assert client.post(f"/pro/jeunes/{link.pk}/fin/").status_code == 302
    assert Link.objects.get(pk=link.pk).end_reason == Link.EndReason.BY_REFERENT
    assert client_for(young_person).get(API).json() == []


def test_a_shared_document_opens_inline_or_downloads_and_its_owner_sees_each_opening(
    referent, young_person, make_document, client_for
):
    from vault import services as vault_services

    content = samples.png()
    document = make_document(young_person, content, name="carte.png", title="Carte Vitale")
    share = vault_services.share_with_referent(document=document, referent_id=referent.pk)
    link = _link_of(referent)
    client = browser_client(referent)
    page = client.get(f"/pro/jeunes/{link.pk}/").content.decode()
    assert "Carte Vitale" in page
    url = f"/pro/jeunes/{link.pk}/documents/{share.pk}/"
    shown = client.get(url)
    assert b"".join(shown.streaming_content) == content
    assert shown["Content-Disposition"].startswith("inline")
    assert "sandbox" in shown["Content-Security-Policy"]  # the file runs nothing here
    downloaded = client.get(url + "?download=1")
    assert downloaded["Content-Disposition"].startswith("attachment")
    b"".join(downloaded.streaming_content)
    opened = [
        event
        for event in client_for(young_person).get("/api/v1/vault/access-log/").json()["results"]
        if event["action"] == "share_access"
    ]
    assert len(opened) == 2 and opened[0]["actor"] == "referent"
    assert opened[0]["who"].startswith("Léa")


def test_the_profile_page_changes_how_young_people_reach_me_and_refuses_bad_input(referent):
    client = browser_client(referent)
    bad = client.post("/pro/profil/", {"contact_way": "pigeon", "contact_email": "x"})
    assert bad.status_code == 400
    profile = ReferentProfile.objects.get(user=referent)
    assert profile.contact_way == "phone" and profile.contact_email == ""
    good = client.post("/pro/profil/", {"contact_way": "sms", "contact_phone": "06 12 34 56 78"})
    assert good.status_code == 302
    profile.refresh_from_db()
    assert (profile.contact_way, profile.contact_phone) == ("sms", "06 12 34 56 78")


def test_a_page_not_theirs_is_a_french_page_not_cached(referent, referent_75):
    link = _link_of(referent)
    for path in (f"/pro/jeunes/{link.pk}/", "/pro/jeunes/999999/"):
        response = browser_client(referent_75).get(path)
        assert response.status_code == 404
        assert "Rien à afficher ici" in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        assert "default-src 'none'" in response["Content-Security-Policy"]


def test_pages_are_not_cached_and_run_no_script(referent):
    response = browser_client(referent).get("/pro/")
    assert response["Cache-Control"] == "no-store"
    # Not no-referrer: browsers would then send "Origin: null" and fail the CSRF check.
    assert response["Referrer-Policy"] == "same-origin"
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"<script" not in response.content
