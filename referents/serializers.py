"""Serializers of the young person's side of référents (the app)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from backend.api.serializers import StrictFieldsMixin

from . import selectors
from .models import (
    ContactWay,
    DemarcheProposal,
    Link,
    LinkInvitation,
    Note,
    ReferentProfile,
    Scope,
)


class ScopesField(serializers.ListField):
    child = serializers.ChoiceField(choices=Scope.choices)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", len(Scope.values))
        kwargs.setdefault(
            "help_text",
            "What the référent may see: profile (first name, age, commune, situation), "
            "demarches (procedures and progress), appointments (those marked as shared), "
            "projet (projet d'accès à l'autonomie and assessments).",
        )
        super().__init__(**kwargs)


def end_date_not_past(value):
    """An end date is today or later: a past one is bad input (400, on the field), not a
    conflict. The services check it as well, for the ``/pro/`` pages and the admin."""
    if value is not None and value < timezone.localdate():
        raise serializers.ValidationError(
            _("The end date must be today or later."), code="ends_on_past"
        )
    return value


class ReferentSerializer(serializers.Serializer):
    """A référent as the young person sees them, with the way they chose to be reached."""

    id = serializers.IntegerField(source="user.id")
    first_name = serializers.CharField(source="user.first_name")
    profession = serializers.CharField()
    profession_label = serializers.CharField(source="get_profession_display")
    job_title = serializers.CharField()
    structure = serializers.CharField(source="structure.name", default="")
    departement = serializers.CharField(source="departement_id")
    contact_way = serializers.CharField()
    contact_way_label = serializers.CharField(source="get_contact_way_display")
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    contact_hours = serializers.CharField()


class LinkSerializer(serializers.ModelSerializer):
    referent = ReferentSerializer(source="referent.referent_profile")
    status = serializers.SerializerMethodField(
        help_text="active; awaiting_confirmation (you turned 18: confirm it, or the référent "
        "sees nothing more); expired (past its end date)."
    )
    scopes = ScopesField()

    class Meta:
        model = Link
        fields = ["id", "referent", "scopes", "status", "accepted_at", "ends_on"]

    def get_status(self, link: Link) -> str:
        return selectors.link_status(link)


class LinkUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    scopes = ScopesField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True, validators=[end_date_not_past])

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Say what to change: scopes or ends_on."))
        return attrs


class CodeSerializer(StrictFieldsMixin, serializers.Serializer):
    code = serializers.CharField(
        max_length=20, help_text="The code the professional gave you (as K7Q4-M2XP)."
    )


class InvitationSerializer(serializers.ModelSerializer):
    referent = ReferentSerializer(source="referent.referent_profile")
    suggested_scopes = ScopesField()

    class Meta:
        model = LinkInvitation
        fields = ["id", "kind", "referent", "suggested_scopes", "created_at", "expires_at"]


class InvitationAcceptSerializer(StrictFieldsMixin, serializers.Serializer):
    scopes = ScopesField(allow_empty=True)
    ends_on = serializers.DateField(required=False, allow_null=True, validators=[end_date_not_past])
    code = serializers.CharField(
        max_length=20, required=False, help_text="Needed to accept an invitation by code."
    )


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_name")
    body = serializers.CharField()

    class Meta:
        model = Note
        fields = ["id", "author", "body", "created_at"]


# "Proposal" is mentoring's (a mentor proposed to a young person): this one is named apart.
@extend_schema_serializer(component_name="DemarcheProposal")
class ProposalSerializer(serializers.ModelSerializer):
    entry_id = serializers.IntegerField()
    entry_title = serializers.CharField(source="entry.title")
    referent = serializers.CharField(source="referent.first_name", default="")

    class Meta:
        model = DemarcheProposal
        fields = ["id", "entry_id", "entry_title", "referent", "status", "created_at"]


class ReferentProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferentProfile
        fields = ["job_title", "contact_way", "contact_phone", "contact_email", "contact_hours"]


# --- "Vers qui me tourner" (``contacts.contacts_for_user``) ------------------------------


class ContactReferentSerializer(serializers.Serializer):
    """One référent of an active link, and the way they chose to be reached."""

    link_id = serializers.IntegerField()
    first_name = serializers.CharField()
    name = serializers.CharField(help_text="First name, job and structure, in one line.")
    profession_label = serializers.CharField()
    job_title = serializers.CharField()
    structure = serializers.CharField()
    contact_way = serializers.ChoiceField(choices=ContactWay.choices)
    contact_way_label = serializers.CharField()
    contact_uri = serializers.CharField(
        help_text="The chosen way, ready to tap: tel:, sms:, mailto: or geo: (the "
        "structure, for in_person); empty if that channel was left blank."
    )
    phone = serializers.CharField()
    phone_uri = serializers.CharField()
    email = serializers.CharField()
    email_uri = serializers.CharField()
    hours = serializers.CharField(help_text="When to reach them, in their own words.")
    address = serializers.CharField(help_text="Their structure's address, in one line.")
    address_uri = serializers.CharField()


class ContactMentorSerializer(serializers.Serializer):
    """The mentor of the active match: reached in the match's messages only."""

    match_id = serializers.IntegerField()
    first_name = serializers.CharField()
    organisation = serializers.CharField()
    contact_label = serializers.CharField()


class ContactDepartementSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ContactDepartementContactSerializer(serializers.Serializer):
    """A contact the département's staff publish (ASE service, helpline...)."""

    kind = serializers.CharField()
    kind_label = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    phone_uri = serializers.CharField()
    email = serializers.CharField()
    email_uri = serializers.CharField()
    address = serializers.CharField()
    address_uri = serializers.CharField()
    website = serializers.CharField()
    hours = serializers.CharField()


class ContactPlaceSerializer(serializers.Serializer):
    """A reception place of the catalogue near the young person."""

    entry_id = serializers.IntegerField(help_text="The catalogue entry, for its details.")
    name = serializers.CharField(help_text="The structure's name (or the entry's title).")
    title = serializers.CharField()
    also = serializers.ListField(
        child=serializers.CharField(), help_text="Other services at the same place."
    )
    commune = serializers.CharField()
    address = serializers.CharField()
    address_uri = serializers.CharField(help_text="A geo: address for the phone's maps.")
    phone = serializers.CharField()
    phone_uri = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    hours = serializers.CharField(help_text="OpenStreetMap opening_hours.")
    open_now = serializers.BooleanField(help_text="Unknown hours count as not open.")
    hours_label = serializers.CharField(help_text="“Ouvert jusqu'à 17:30”, “Fermé, ouvre…”.")
    changes_at = serializers.DateTimeField(
        allow_null=True, help_text="When it next opens or closes."
    )
    distance_km = serializers.FloatField(
        allow_null=True, help_text="From the young person's commune; null if not located."
    )


class ContactsSerializer(serializers.Serializer):
    located = serializers.BooleanField(
        help_text="Whether the young person's commune could be placed: if not, places are "
        "sorted same commune, same postcode, same département, without distance."
    )
    departement = ContactDepartementSerializer(allow_null=True)
    referents = ContactReferentSerializer(many=True)
    mentor = ContactMentorSerializer(allow_null=True)
    departement_contacts = ContactDepartementContactSerializer(many=True)
    places = ContactPlaceSerializer(many=True)
