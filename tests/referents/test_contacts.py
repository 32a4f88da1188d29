"""GET /api/v1/me/contacts/: "vers qui me tourner", the young person's people and places.

Real data throughout: structures and entries made by the catalogue's services at known
points, links made by référents' invitations and the young person's acceptance, matches by
mentoring's own services.
"""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DepartementContact
from referents import services as referent_services
from referents.contacts import contacts_for_user
from referents.models import ContactWay, Link, Profession
from services_catalog import services as catalogue_services
from services_catalog.models import Entry, Structure
from tests.mentoring.factories import in_bobigny, mentoring_match

URL = "/api/v1/me/contacts/"


def next_wednesday_at(hour: int, minute: int = 0) -> datetime:
    """A Wednesday (the coming one, or today) at ``hour`` in Paris: a moment whose opening
    hours the tests know, close to today so that ages and links stay as they are."""
    today = timezone.localdate()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7)
    return timezone.make_aware(datetime.combine(wednesday, time(hour, minute)))


def structure(key: str, **fields):
    made, _what = catalogue_services.structure_upsert(source="test", source_id=key, **fields)
    return made


def place_entry(title: str, *, at=None, publish=True, **fields) -> Entry:
    """A published offer received in person, at structure ``at`` (its place copied, as
    the importers do), unless ``fields`` say otherwise."""
    data = {
        "kind": Entry.Kind.OFFER,
        "summary": f"{title}.",
        "body": f"{title}, pour les jeunes.",
        "type": "accompagnement",
        "modes_accueil": ["en-presentiel"],
        "departement_id": "93",
        "scope": Entry.Scope.DEPARTEMENTS,
    }
    if at is not None:
        data.update(
            structure=at,
            adresse=at.adresse,
            code_postal=at.code_postal,
            commune=at.commune,
            commune_code=at.commune_code,
            latitude=at.latitude,
            longitude=at.longitude,
            horaires_accueil=at.horaires_accueil,
            telephone=at.telephone,
        )
    zone = fields.pop("zone", ["93"])
    data.update(fields)
    if data["scope"] != Entry.Scope.DEPARTEMENTS:
        zone = []
    return catalogue_services.entry_create(
        title=title, publish=publish, zone_departements=zone, **data
    )


@pytest.fixture
def catalogue(db):
    """Places around Bobigny (93008), whose position the catalogue puts at about
    (48.907, 2.445): the average of its located structures and visible entries."""
    mission_locale = structure(
        "ml-bobigny",
        name="Mission locale de Bobigny",
        adresse="1 rue de la République",
        code_postal="93000",
        commune="Bobigny",
        commune_code="93008",
        latitude=48.9100,
        longitude=2.4400,
        telephone="01 48 95 60 00",
        horaires_accueil="Mo-Fr 09:00-12:30,13:30-17:30",
        departement_id="93",
    )
    ccas = structure(
        "ccas-bobigny",
        name="CCAS de Bobigny",
        adresse="31 avenue Salvador-Allende",
        code_postal="93000",
        commune="Bobigny",
        commune_code="93008",
        latitude=48.9040,
        longitude=2.4520,
        horaires_accueil="Tu,Th 09:00-12:00",
        departement_id="93",
    )
    town_hall = structure(
        "hotel-de-ville-bobigny",
        name="Hôtel de ville de Bobigny",
        code_postal="93000",
        commune="Bobigny",
        commune_code="93008",
        latitude=48.9070,
        longitude=2.4430,
        departement_id="93",
    )
    paej = structure(
        "paej-pantin",
        name="Point accueil écoute jeunes de Pantin",
        adresse="4 rue Scandicci",
        code_postal="93500",
        commune="Pantin",
        commune_code="93055",
        latitude=48.8945,
        longitude=2.4095,
        horaires_accueil="We 14:00-18:00",
        departement_id="93",
    )
    places = {
        "mission_locale": place_entry("Accueil des 16-25 ans", at=mission_locale),
        "mission_locale_housing": place_entry(
            "Info logement", at=mission_locale, type="information"
        ),
        "ccas": place_entry("Accueil du CCAS", at=ccas, type="information"),
        "paej": place_entry("Écoute et orientation", at=paej),
        # In Paris, for anyone within 10 km: Bobigny is about 5 km away.
        "paris_19": place_entry(
            "Point d'accueil jeunes Paris 19e",
            departement_id="75",
            scope=Entry.Scope.RADIUS,
            radius_km=10,
            adresse="30 avenue Corentin-Cariou",
            code_postal="75019",
            commune="Paris",
            commune_code="75119",
            latitude=48.884,
            longitude=2.381,
            horaires_accueil="Sa 10:00-13:00",
        ),
        "far_93": place_entry(
            "Accueil jeunes de Tremblay",
            adresse="2 place du Marché",
            code_postal="93290",
            commune="Tremblay-en-France",
            commune_code="93073",
            latitude=48.97,
            longitude=2.55,
        ),
    }
    # Not reception places, or not for someone of Bobigny.
    not_shown = {
        "workshop": place_entry("Atelier CV", at=town_hall, type="atelier"),
        "remote": place_entry(
            "Écoute par téléphone", at=ccas, modes_accueil=["a-distance"], type="information"
        ),
        "draft": place_entry("Accueil pas encore publié", at=ccas, publish=False),
        "paris_only": place_entry(
            "Maison des adolescents (Parisiens)",
            departement_id="75",
            zone=["75"],
            adresse="97 boulevard de Port-Royal",
            code_postal="75014",
            commune="Paris",
            commune_code="75114",
            latitude=48.8385,
            longitude=2.338,
        ),
        "small_radius": place_entry(
            "Espace jeunes de Paris 10e (3 km autour)",
            departement_id="75",
            scope=Entry.Scope.RADIUS,
            radius_km=3,
            code_postal="75010",
            commune="Paris",
            commune_code="75110",
            latitude=48.874,
            longitude=2.356,
        ),
        "lyon": place_entry(
            "Accueil national, antenne de Lyon",
            scope=Entry.Scope.NATIONAL,
            departement_id=None,
            code_postal="69001",
            commune="Lyon",
            commune_code="69381",
            latitude=45.76,
            longitude=4.835,
        ),
    }
    return {**places, "not_shown": not_shown, "mission_locale_structure": mission_locale}


def referent(staff, email, first_name, *, structure=None, **contact):
    """A référent of ``staff``'s département who chose ``contact`` (way, phone...)."""
    # A profile without a structure cannot be updated yet (see the report): a structure.
    structure = structure or Structure.objects.get_or_create(name="Service de suite ASE 93")[0]
    profile, _code = referent_services.referent_invite(
        email=email,
        first_name=first_name,
        departement=staff.departements.get(),
        structure=structure,
        profession=Profession.MISSION_LOCALE,
        job_title=contact.pop("job_title", "Conseillère"),
        invited_by=staff,
    )
    referent_services.referent_profile_update(profile=profile, data=contact)
    return profile.user


def link(young_person, referent_user) -> Link:
    invitation, _code = referent_services.invitation_code_create(referent=referent_user)
    return referent_services.invitation_accept(
        young_person=young_person, invitation=invitation, scopes=[]
    )


def names(answer: dict, section: str, field: str = "first_name") -> list[str]:
    return [item[field] for item in answer[section]]


# --- Places ---------------------------------------------------------------------------


def test_reception_places_come_nearest_first_with_distance_hours_and_open_now(
    catalogue, young_person
):
    in_bobigny(young_person)

    answer = contacts_for_user(user=young_person, now=next_wednesday_at(10))

    assert answer["located"] is True
    places = answer["places"]
    assert [place["name"] for place in places] == [
        "Mission locale de Bobigny",
        "CCAS de Bobigny",
        "Point accueil écoute jeunes de Pantin",
        "Point d'accueil jeunes Paris 19e",
        "Accueil jeunes de Tremblay",
    ]
    distances = [place["distance_km"] for place in places]
    assert distances == pytest.approx([0.5, 0.6, 2.9, 5.3, 10.4], abs=0.15)
    by_name = {place["name"]: place for place in places}
    mission_locale = by_name["Mission locale de Bobigny"]
    # Two entries of one structure are one place.
    assert mission_locale["title"] == "Accueil des 16-25 ans"
    assert mission_locale["also"] == ["Info logement"]
    assert mission_locale["phone_uri"] == "tel:0148956000"
    assert mission_locale["address"] == "1 rue de la République, 93000 Bobigny"
    assert mission_locale["address_uri"].startswith("geo:48.910000,2.440000")
    assert mission_locale["hours"] == "Mo-Fr 09:00-12:30,13:30-17:30"
    # A Wednesday at 10:00 in Paris.
    assert [place["open_now"] for place in places] == [True, False, False, False, False]
    assert mission_locale["hours_label"] == "Ouvert jusqu'à 12:30"
    assert by_name["CCAS de Bobigny"]["hours_label"] == "Fermé, ouvre demain à 09:00"
    assert by_name["Point accueil écoute jeunes de Pantin"]["hours_label"] == (
        "Fermé, ouvre à 14:00"
    )
    assert by_name["Point d'accueil jeunes Paris 19e"]["hours_label"] == (
        "Fermé, ouvre samedi à 10:00"
    )
    assert by_name["Accueil jeunes de Tremblay"]["hours_label"] == "Horaires non communiqués"


def test_open_now_follows_the_moment(catalogue, young_person):
    in_bobigny(young_person)

    answer = contacts_for_user(user=young_person, now=next_wednesday_at(15))

    open_now = {place["name"] for place in answer["places"] if place["open_now"]}
    assert open_now == {"Mission locale de Bobigny", "Point accueil écoute jeunes de Pantin"}
    by_name = {place["name"]: place for place in answer["places"]}
    assert by_name["Point accueil écoute jeunes de Pantin"]["hours_label"] == (
        "Ouvert jusqu'à 18:00"
    )


def test_a_commune_the_catalogue_cannot_place_is_sorted_by_commune_postcode_departement(
    catalogue, young_person
):
    profile = young_person.profile
    profile.commune_code, profile.postcode = "93045", "93260"  # Les Lilas: nothing located
    profile.save()
    place_entry(
        "Point écoute des Lilas",
        adresse="1 rue du Garde-Chasse",
        commune_code="93045",
        code_postal="93260",
        commune="Les Lilas",
    )
    place_entry("Accueil du 93260", adresse="3 rue de Paris", code_postal="93260")

    answer = contacts_for_user(user=young_person, now=next_wednesday_at(10))

    assert answer["located"] is False
    titles = [place["title"] for place in answer["places"]]
    # Same commune, same postcode, then the rest of the département (by title).
    assert titles[:2] == ["Point écoute des Lilas", "Accueil du 93260"]
    assert set(titles[2:]) == {
        "Accueil des 16-25 ans",  # "Info logement" is the same place
        "Accueil du CCAS",
        "Écoute et orientation",
        "Accueil jeunes de Tremblay",
    }
    assert all(place["distance_km"] is None for place in answer["places"])
    # Without a distance, nothing outside the département, nor what does not serve it.
    assert "Point d'accueil jeunes Paris 19e" not in titles
    assert "Maison des adolescents (Parisiens)" not in titles


def test_a_postcode_alone_places_the_young_person(catalogue, young_person):
    profile = young_person.profile
    profile.commune_code, profile.postcode = "", "93500"  # Pantin, by its postcode only
    profile.save()

    answer = contacts_for_user(user=young_person, now=next_wednesday_at(10))

    assert answer["located"] is True
    first = answer["places"][0]
    assert first["name"] == "Point accueil écoute jeunes de Pantin"
    assert first["distance_km"] == 0.0


def test_no_commune_no_departement_no_places(catalogue, make_user):
    nowhere = make_user("nowhere@example.org")

    answer = contacts_for_user(user=nowhere)

    assert answer == {
        "located": False,
        "departement": None,
        "referents": [],
        "mentor": None,
        "departement_contacts": [],
        "places": [],
    }


def test_the_answer_costs_the_same_queries_for_a_larger_catalogue(
    catalogue, young_person, staff_93
):
    in_bobigny(young_person)
    link(young_person, referent(staff_93, "lea@example.org", "Léa", contact_phone="0600000000"))
    DepartementContact.objects.create(departement_id="93", kind="helpline", name="ASE 93")
    moment = next_wednesday_at(10)
    contacts_for_user(user=young_person, now=moment)  # warm the caches (départements...)
    with CaptureQueriesContext(connection) as few:
        contacts_for_user(user=young_person, now=moment)

    for index in range(20):
        place = structure(
            f"more-{index}",
            name=f"Lieu d'accueil {index}",
            code_postal="93000",
            commune_code="93008",
            latitude=48.90 + index / 1000,
            longitude=2.44,
            horaires_accueil="Mo-Fr 09:00-17:00",
        )
        place_entry(f"Accueil {index}", at=place)
        place_entry(f"Autre service {index}", at=place)
    link(young_person, referent(staff_93, "sam@example.org", "Sam", contact_phone="0611111111"))
    DepartementContact.objects.create(departement_id="93", kind="other", name="Aide 93")
    with CaptureQueriesContext(connection) as many:
        answer = contacts_for_user(user=young_person, now=moment)

    assert len(answer["places"]) == 8  # a phone's screenful, not the catalogue
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 10


# --- People ---------------------------------------------------------------------------


def test_referents_of_active_links_only_each_with_the_way_they_chose(
    catalogue, young_person, other_young_person, staff_93
):
    in_bobigny(young_person)
    mission_locale = catalogue["mission_locale_structure"]
    by_sms = referent(
        staff_93,
        "lea@example.org",
        "Léa",
        structure=mission_locale,
        contact_way=ContactWay.SMS,
        contact_phone="06 12 34 56 78",
        contact_hours="Lun-ven 9-17",
    )
    by_email = referent(
        staff_93,
        "omar@example.org",
        "Omar",
        contact_way=ContactWay.EMAIL,
        contact_email="omar@ml-bobigny.example.org",
        contact_phone="01 00 00 00 00",
    )
    in_person = referent(
        staff_93,
        "ines@example.org",
        "Inès",
        structure=mission_locale,
        contact_way=ContactWay.IN_PERSON,
    )
    ended = referent(staff_93, "paul@example.org", "Paul", contact_phone="0622222222")
    closed = referent(staff_93, "zoe@example.org", "Zoé", contact_phone="0633333333")
    someone_elses = referent(staff_93, "eve@example.org", "Ève", contact_phone="0644444444")
    for referent_user in (by_sms, by_email, in_person, ended, closed):
        link(young_person, referent_user)
    referent_services.link_end(link=Link.objects.get(young_person=young_person, referent=ended))
    referent_services.referent_deactivate(referent=closed)
    link(other_young_person, someone_elses)

    answer = contacts_for_user(user=young_person)

    assert names(answer, "referents") == ["Léa", "Omar", "Inès"]
    lea, omar, ines = answer["referents"]
    assert lea["contact_way"] == "sms"
    assert lea["contact_way_label"] == "Par SMS"
    assert lea["contact_uri"] == "sms:0612345678"
    assert lea["hours"] == "Lun-ven 9-17"
    assert lea["structure"] == "Mission locale de Bobigny"
    assert lea["name"] == "Léa, Conseillère, Mission locale de Bobigny"
    assert omar["contact_uri"] == "mailto:omar@ml-bobigny.example.org"
    assert omar["phone_uri"] == "tel:0100000000"
    assert ines["contact_way_label"] == "En personne, à la structure"
    assert ines["contact_uri"].startswith("geo:48.910000,2.440000")
    assert ines["address"] == "1 rue de la République, 93000 Bobigny"
    # The other young person sees only their own référent.
    assert names(contacts_for_user(user=other_young_person), "referents") == ["Ève"]


def test_a_link_waiting_for_confirmation_at_18_is_not_shown(young_person, staff_93):
    lea = referent(staff_93, "lea@example.org", "Léa", contact_phone="0600000000")
    profile = young_person.profile
    profile.birth_date = timezone.localdate() - timedelta(days=365 * 17 + 300)  # 17
    profile.save()
    link(young_person, lea)
    assert names(contacts_for_user(user=young_person), "referents") == ["Léa"]

    with time_machine.travel(timezone.now() + timedelta(days=70), tick=False):  # now 18
        assert contacts_for_user(user=young_person)["referents"] == []


@pytest.mark.parametrize(
    ("state", "shown"),
    [("active", True), ("paused", False), ("proposed", False), ("ended", False)],
)
def test_the_mentor_only_while_the_match_is_active(
    young_person, mentor, coordinator_93, state, shown
):
    _request, match = mentoring_match(
        young_person=young_person, mentor=mentor, coordinator=coordinator_93, state=state
    )

    answer = contacts_for_user(user=young_person)

    if shown:
        assert answer["mentor"] == {
            "match_id": match.pk,
            "first_name": "Marc",
            "organisation": "Parrains de Bobigny",
            "contact_label": "Écris-lui dans tes messages sur Jalon",
        }
    else:
        assert answer["mentor"] is None


def test_someone_elses_mentor_is_not_mine(young_person, other_young_person, mentor, coordinator_93):
    mentoring_match(young_person=other_young_person, mentor=mentor, coordinator=coordinator_93)

    assert contacts_for_user(user=young_person)["mentor"] is None


def test_the_contacts_of_their_own_departement(young_person):
    DepartementContact.objects.create(
        departement_id="93",
        kind=DepartementContact.Kind.CARE_LEAVER_REFERENT,
        name="Référent sortants de l'ASE 93",
        phone="01 43 93 93 93",
        email="sortants@seinesaintdenis.example.org",
        address="93 rue Carnot, 93000 Bobigny",
        opening_hours="Du lundi au vendredi, 9 h - 17 h",
    )
    DepartementContact.objects.create(departement_id="75", kind="helpline", name="ASE Paris")

    answer = contacts_for_user(user=young_person)

    assert answer["departement"] == {"code": "93", "name": "Seine-Saint-Denis"}
    assert answer["departement_contacts"] == [
        {
            "kind": "care_leaver_referent",
            "kind_label": "Référent pour les jeunes sortant de l'ASE",
            "name": "Référent sortants de l'ASE 93",
            "phone": "01 43 93 93 93",
            "phone_uri": "tel:0143939393",
            "email": "sortants@seinesaintdenis.example.org",
            "email_uri": "mailto:sortants@seinesaintdenis.example.org",
            "address": "93 rue Carnot, 93000 Bobigny",
            "address_uri": "geo:0,0?q=93%20rue%20Carnot%2C%2093000%20Bobigny",
            "website": "",
            "hours": "Du lundi au vendredi, 9 h - 17 h",
        }
    ]


def test_the_departement_follows_the_commune_when_the_profile_names_none(make_user):
    user = make_user("sans.departement@example.org")
    user.profile.commune_code = "75119"
    user.profile.save()
    DepartementContact.objects.create(departement_id="75", kind="helpline", name="ASE Paris")

    answer = contacts_for_user(user=user)

    assert answer["departement"]["code"] == "75"
    assert names(answer, "departement_contacts", "name") == ["ASE Paris"]


# --- The API --------------------------------------------------------------------------


def test_the_api_answers_the_young_person_in_french_or_english(
    catalogue, young_person, staff_93, client_for
):
    in_bobigny(young_person)
    link(young_person, referent(staff_93, "lea@example.org", "Léa", contact_phone="06 12"))
    client = client_for(young_person)

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "located",
        "departement",
        "referents",
        "mentor",
        "departement_contacts",
        "places",
    }
    assert body["located"] is True
    assert body["referents"][0]["contact_way_label"] == "Par téléphone"
    assert body["referents"][0]["contact_uri"] == "tel:0612"
    assert body["places"][0]["name"] == "Mission locale de Bobigny"
    assert body["places"][0]["hours_label"]  # some French sentence, at whatever time it is

    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["referents"][0]["contact_way_label"] == "By phone"


def test_the_api_is_for_young_people_only(mentor, client_for, api_client):
    assert client_for(mentor).get(URL).status_code == 403
    anonymous = api_client.get(URL)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
