"""Reads for "Vers qui me tourner": the young person's people and places, in one answer.

Pure reads, as ``selectors.py`` (a module of its own because it gathers four apps): the
référents of the young person's *active* links with the way each chose to be reached,
their mentor while the match is active, their département's published contacts, and
the nearest reception places of the catalogue (``services_catalog.selectors``
``reception_places_near``) with their hours and whether each is open now.

The distance is measured from the young person's commune, whose position the catalogue
estimates from its own located places there (``commune_position``). When it knows none,
``located`` is False, every ``distance_km`` is None, and places are sorted same commune,
same postcode, then the rest of the département.

Everything a phone shows comes ready to use: French labels, and ``tel:``, ``sms:``,
``mailto:`` and ``geo:`` addresses to tap. A bounded number of queries (about eight),
whatever the catalogue's size.
"""

import re
from datetime import datetime, timedelta
from urllib.parse import quote

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts import selectors as accounts_selectors
from mentoring import selectors as mentoring_selectors
from mentoring.models import Match
from services_catalog import selectors as catalogue_selectors
from services_catalog.models import Entry
from services_catalog.vocabulary import departement_of_commune, departement_of_postcode

from .models import ContactWay, Link
from .selectors import active_links, referent_display_name

# How many reception places the answer lists: enough to choose, small on a cheap phone.
PLACES_SHOWN = 8
# An opening further away than this is not worth a day's name ("Fermé" is enough).
OPENING_HORIZON = timedelta(days=6)


def contacts_for_user(*, user, now: datetime | None = None) -> dict:
    """What ``GET /api/v1/me/contacts/`` answers to the young person ``user`` at ``now``.

    Nothing of anyone else: only ``user``'s own active links and match, their
    département's contacts, and public places of the catalogue.
    """
    now = now or timezone.now()
    profile = accounts_selectors.profile_for(user)
    commune_code = profile.commune_code if profile else ""
    postcode = profile.postcode if profile else ""
    departement_code = _departement_code(profile)
    position = catalogue_selectors.commune_position(commune_code=commune_code, postcode=postcode)
    places = catalogue_selectors.reception_places_near(
        commune_code=commune_code,
        postcode=postcode,
        departement_code=departement_code,
        position=position,
        limit=PLACES_SHOWN,
    )
    departement = (
        accounts_selectors.departement_with_contacts(code=departement_code)
        if departement_code
        else None
    )
    return {
        "located": position is not None,
        "departement": (
            {"code": departement.code, "name": departement.name} if departement else None
        ),
        "referents": [_referent(link) for link in _active_links_of(user, now)],
        "mentor": _mentor(user),
        "departement_contacts": (
            [_departement_contact(contact) for contact in departement.contacts.all()]
            if departement
            else []
        ),
        "places": [_place(entry, now) for entry in places],
    }


def _departement_code(profile) -> str:
    """The profile's département, else the one of its commune, else of its postcode."""
    if profile is None:
        return ""
    if profile.departement_id:
        return profile.departement_id
    if profile.commune_code:
        return departement_of_commune(profile.commune_code)
    return departement_of_postcode(profile.postcode or "") or ""


# --- Ready to tap ---------------------------------------------------------------------


def phone_uri(number: str, scheme: str = "tel") -> str:
    """``"01 48 95 60 00"`` -> ``"tel:0148956000"`` (``"+33 …"`` and short numbers kept);
    empty for an empty number."""
    digits = re.sub(r"[^0-9+]", "", number or "")
    return f"{scheme}:{digits}" if digits else ""


def email_uri(email: str) -> str:
    return f"mailto:{email}" if email else ""


def geo_uri(address: str, latitude: float | None = None, longitude: float | None = None) -> str:
    """A ``geo:`` address (RFC 5870) that opens the phone's maps: the position when known,
    else a search for the address; empty when neither is known."""
    if latitude is not None and longitude is not None:
        return f"geo:{latitude:.6f},{longitude:.6f}?q={latitude:.6f},{longitude:.6f}"
    if address:
        return f"geo:0,0?q={quote(address)}"
    return ""


def one_line_address(street: str, postcode: str, commune: str) -> str:
    """``"20 rue Gabriel-Péri, 93200 Saint-Denis"`` (parts that are empty left out)."""
    town = " ".join(part for part in (postcode, commune) if part)
    return ", ".join(part for part in (street, town) if part)


# --- People ---------------------------------------------------------------------------


def _active_links_of(user, now: datetime):
    return (
        active_links(timezone.localdate(now))
        .filter(young_person=user)
        .select_related("referent__referent_profile__structure")
        .order_by("accepted_at", "pk")
    )


def _referent(link: Link) -> dict:
    referent = link.referent
    profile = getattr(referent, "referent_profile", None)
    structure = profile.structure if profile is not None else None
    address = (
        one_line_address(structure.adresse, structure.code_postal, structure.commune)
        if structure
        else ""
    )
    address_uri = geo_uri(address, structure.latitude, structure.longitude) if structure else ""
    phone = profile.contact_phone if profile else ""
    email = profile.contact_email if profile else ""
    way = profile.contact_way if profile else ""
    reach = {
        ContactWay.PHONE: phone_uri(phone),
        ContactWay.SMS: phone_uri(phone, "sms"),
        ContactWay.EMAIL: email_uri(email),
        ContactWay.IN_PERSON: address_uri,
    }
    return {
        "link_id": link.pk,
        "first_name": referent.first_name,
        "name": referent_display_name(referent),
        "profession_label": str(profile.get_profession_display()) if profile else "",
        "job_title": profile.job_title if profile else "",
        "structure": structure.name if structure else "",
        "contact_way": way,
        "contact_way_label": str(profile.get_contact_way_display()) if profile else "",
        # What the référent chose, ready to tap; empty if they left that channel blank.
        "contact_uri": reach.get(way, ""),
        "phone": phone,
        "phone_uri": phone_uri(phone),
        "email": email,
        "email_uri": email_uri(email),
        "hours": profile.contact_hours if profile else "",
        "address": address,
        "address_uri": address_uri,
    }


def _mentor(user) -> dict | None:
    """The mentor of the active match only: a paused, proposed or ended one shows none."""
    match = (
        mentoring_selectors.matches_for_user(user=user)
        .filter(young_person=user, status=Match.Status.ACTIVE)
        .first()
    )
    if match is None or match.mentor is None:
        return None
    mentor_profile = getattr(match.mentor, "mentor_profile", None)
    return {
        "match_id": match.pk,
        "first_name": match.mentor.first_name,
        "organisation": mentor_profile.organisation if mentor_profile else "",
        # Mentors are reached inside the match only (never by phone or e-mail).
        "contact_label": _("Write to them in your messages in Jalon"),
    }


def _departement_contact(contact) -> dict:
    return {
        "kind": contact.kind,
        "kind_label": str(contact.get_kind_display()),
        "name": contact.name,
        "phone": contact.phone,
        "phone_uri": phone_uri(contact.phone),
        "email": contact.email,
        "email_uri": email_uri(contact.email),
        "address": contact.address,
        "address_uri": geo_uri(contact.address),
        "website": contact.website,
        "hours": contact.opening_hours,
    }


# --- Places ---------------------------------------------------------------------------


def _place(entry: Entry, now: datetime) -> dict:
    structure = entry.structure
    street = entry.adresse or (structure.adresse if structure else "")
    postcode = entry.code_postal or (structure.code_postal if structure else "")
    commune = entry.commune or (structure.commune if structure else "")
    latitude, longitude = entry.latitude, entry.longitude
    if (latitude is None or longitude is None) and structure is not None:
        latitude, longitude = structure.latitude, structure.longitude
    phone = entry.telephone or (structure.telephone if structure else "")
    email = entry.courriel or (structure.courriel if structure else "")
    hours = entry.horaires_accueil or (structure.horaires_accueil if structure else "")
    is_open, changes_at = catalogue_selectors.opening_state(hours, now)
    address = one_line_address(street, postcode, commune)
    distance = getattr(entry, "distance_km", None)
    return {
        "entry_id": entry.pk,
        "name": structure.name if structure else entry.title,
        "title": entry.title,
        "also": [other.title for other in getattr(entry, "other_entries", [])],
        "commune": commune,
        "address": address,
        "address_uri": geo_uri(address, latitude, longitude),
        "phone": phone,
        "phone_uri": phone_uri(phone),
        "email": email,
        "website": structure.site_web if structure else "",
        "hours": hours,
        "open_now": is_open,
        "hours_label": hours_label(hours, is_open, changes_at, now),
        "changes_at": changes_at,
        "distance_km": round(distance, 1) if distance is not None else None,
    }


def hours_label(hours: str, is_open: bool, changes_at: datetime | None, now: datetime) -> str:
    """ "Ouvert jusqu'à 17:30", "Fermé, ouvre demain à 09:00"... in the request's language."""
    if not hours:
        return _("Opening hours not given")
    if changes_at is None:
        return _("Open now") if is_open else _("Closed")
    local_now, local_change = timezone.localtime(now), timezone.localtime(changes_at)
    at = time_format(local_change.time(), "TIME_FORMAT")
    days_away = (local_change.date() - local_now.date()).days
    if is_open:
        if days_away == 0:
            return _("Open until %(time)s") % {"time": at}
        return _("Open now")
    if days_away == 0:
        return _("Closed, opens at %(time)s") % {"time": at}
    if days_away == 1:
        return _("Closed, opens tomorrow at %(time)s") % {"time": at}
    if local_change - local_now <= OPENING_HORIZON:
        day = str(WEEKDAYS[local_change.weekday()]).lower()
        return _("Closed, opens %(day)s at %(time)s") % {"day": day, "time": at}
    return _("Closed")
