from django.urls import path

from . import api

urlpatterns = [
    path("me/referents/", api.LinkListView.as_view(), name="me-referents"),
    path("me/referents/<id:link_id>/", api.LinkDetailView.as_view(), name="me-referent"),
    path(
        "me/referents/<id:link_id>/confirm/",
        api.LinkConfirmView.as_view(),
        name="me-referent-confirm",
    ),
    path("me/referents/code/", api.InvitationByCodeView.as_view(), name="me-referent-code"),
    path(
        "me/referents/invitations/",
        api.InvitationListView.as_view(),
        name="me-referent-invitations",
    ),
    path(
        "me/referents/invitations/<id:invitation_id>/accept/",
        api.InvitationAcceptView.as_view(),
        name="me-referent-invitation-accept",
    ),
    path(
        "me/referents/invitations/<id:invitation_id>/decline/",
        api.InvitationDeclineView.as_view(),
        name="me-referent-invitation-decline",
    ),
    path("me/referents/notes/", api.NoteListView.as_view(), name="me-referent-notes"),
    path("me/referents/proposals/", api.ProposalListView.as_view(), name="me-referent-proposals"),
    path(
        "me/referents/proposals/<id:proposal_id>/accept/",
        api.ProposalAcceptView.as_view(),
        name="me-referent-proposal-accept",
    ),
    path(
        "me/referents/proposals/<id:proposal_id>/decline/",
        api.ProposalDeclineView.as_view(),
        name="me-referent-proposal-decline",
    ),
    path("me/contacts/", api.ContactsView.as_view(), name="me-contacts"),
]
