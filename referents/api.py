"""API of référents, the young person's side: who accompanies me, and what each sees.

The référent's side is the ``/pro/`` web space (``pages.py``), not this API.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsYoungPerson
from backend.api.serializers import ErrorSerializer
from backend.api.throttling import ScopedMethodThrottle

from . import selectors, services
from .contacts import contacts_for_user
from .models import DemarcheProposal, Link, LinkInvitation, Note
from .serializers import (
    CodeSerializer,
    ContactsSerializer,
    InvitationAcceptSerializer,
    InvitationSerializer,
    LinkSerializer,
    LinkUpdateSerializer,
    NoteSerializer,
    ProposalSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; nothing was changed."),
    401: OpenApiResponse(ErrorSerializer, description="Missing or expired session token."),
    403: OpenApiResponse(ErrorSerializer, description="For young people only."),
    404: OpenApiResponse(ErrorSerializer, description="Not one of yours."),
}


def validated(serializer_class, request: Request) -> dict:
    """The request body checked by ``serializer_class`` (a 400 in the error format if not)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class LinkListView(generics.ListAPIView):
    """My référents: who accompanies me, what each may see, and how to reach them."""

    permission_classes = [IsYoungPerson]
    queryset = Link.objects.none()  # for the schema; get_queryset gives the user's
    serializer_class = LinkSerializer
    pagination_class = None  # a handful at most

    def get_queryset(self):
        return selectors.links_for_user(user=self.request.user)


class LinkDetailView(APIView):
    """One link: read it, change what the référent sees (at once), or end it."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: LinkSerializer, **ERRORS})
    def get(self, request: Request, link_id: int) -> Response:
        link = selectors.link_get_for_user(user=request.user, link_id=link_id)
        return Response(LinkSerializer(link).data)

    @extend_schema(request=LinkUpdateSerializer, responses={200: LinkSerializer, **ERRORS})
    def patch(self, request: Request, link_id: int) -> Response:
        link = selectors.link_get_for_user(user=request.user, link_id=link_id)
        link = services.link_update(link=link, data=validated(LinkUpdateSerializer, request))
        return Response(LinkSerializer(link).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, link_id: int) -> Response:
        link = selectors.link_get_for_user(user=request.user, link_id=link_id)
        services.link_end(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LinkConfirmView(APIView):
    """At 18, confirm a link made while a minor: until then the référent sees nothing."""

    permission_classes = [IsYoungPerson]

    @extend_schema(request=None, responses={200: LinkSerializer, **ERRORS})
    def post(self, request: Request, link_id: int) -> Response:
        link = selectors.link_get_for_user(user=request.user, link_id=link_id)
        return Response(LinkSerializer(services.link_confirm_as_adult(link=link)).data)


class InvitationByCodeView(APIView):
    """Who a code is from, before accepting it (nothing is linked yet)."""

    permission_classes = [IsYoungPerson]
    throttle_classes = [*APIView.throttle_classes, ScopedMethodThrottle]
    throttle_scope = "referent_codes"
    throttle_methods = ("POST",)

    @extend_schema(
        request=CodeSerializer,
        responses={
            200: InvitationSerializer,
            429: OpenApiResponse(ErrorSerializer, description="Too many wrong codes."),
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        code = validated(CodeSerializer, request)["code"]
        invitation = services.invitation_find_by_code(young_person=request.user, code=code)
        return Response(InvitationSerializer(invitation).data)


class InvitationListView(generics.ListAPIView):
    """Invitations sent to my account by professionals, waiting for my answer."""

    permission_classes = [IsYoungPerson]
    queryset = LinkInvitation.objects.none()  # for the schema; get_queryset gives the user's
    serializer_class = InvitationSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.invitations_for_user(user=self.request.user)


def _invitation(request: Request, invitation_id: int, code: str | None):
    """An invitation to my account by id, or (with its code) one given in person."""
    if code:
        invitation = services.invitation_find_by_code(young_person=request.user, code=code)
        if invitation.pk != invitation_id:
            raise services.InvitationInvalid()
        return invitation
    return selectors.invitation_get_for_user(user=request.user, invitation_id=invitation_id)


class InvitationAcceptView(APIView):
    """Accept: the link exists from now, with the scopes I chose (none is fine)."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=InvitationAcceptSerializer,
        responses={201: LinkSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        data = validated(InvitationAcceptSerializer, request)
        invitation = _invitation(request, invitation_id, data.get("code"))
        link = services.invitation_accept(
            young_person=request.user,
            invitation=invitation,
            scopes=data["scopes"],
            ends_on=data.get("ends_on"),
        )
        return Response(LinkSerializer(link).data, status=status.HTTP_201_CREATED)


class InvitationDeclineView(APIView):
    """Decline an invitation sent to my account."""

    permission_classes = [IsYoungPerson]

    @extend_schema(request=None, responses={204: None, **ERRORS})
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = selectors.invitation_get_for_user(
            user=request.user, invitation_id=invitation_id
        )
        services.invitation_decline(invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteListView(generics.ListAPIView):
    """Notes my référents wrote for me, newest first."""

    permission_classes = [IsYoungPerson]
    queryset = Note.objects.none()  # for the schema; get_queryset gives the user's
    serializer_class = NoteSerializer

    def get_queryset(self):
        return selectors.notes_for_user(user=self.request.user)


class ProposalListView(generics.ListAPIView):
    """Procedures my référents proposed, waiting ones first."""

    permission_classes = [IsYoungPerson]
    queryset = DemarcheProposal.objects.none()  # for the schema; get_queryset gives the user's
    serializer_class = ProposalSerializer

    def get_queryset(self):
        return selectors.proposals_for_user(user=self.request.user)


class ProposalAcceptView(APIView):
    """Accept a proposed procedure: it joins my démarches."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=None, responses={200: ProposalSerializer, 409: ErrorSerializer, **ERRORS}
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
        services.proposal_accept(proposal=proposal)
        proposal.refresh_from_db()
        return Response(ProposalSerializer(proposal).data)


class ProposalDeclineView(APIView):
    """Decline a proposed procedure."""

    permission_classes = [IsYoungPerson]

    @extend_schema(
        request=None, responses={200: ProposalSerializer, 409: ErrorSerializer, **ERRORS}
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
        return Response(ProposalSerializer(services.proposal_decline(proposal=proposal)).data)


class ContactsView(APIView):
    """Vers qui me tourner: my référents, my mentor, my département's contacts and the
    nearest reception places, with their hours and whether each is open now."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: ContactsSerializer, 401: ERRORS[401], 403: ERRORS[403]})
    def get(self, request: Request) -> Response:
        return Response(ContactsSerializer(contacts_for_user(user=request.user)).data)
