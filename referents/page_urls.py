"""The professional space's pages, at ``/pro/`` (the API's routes are in ``urls.py``)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("", pages.home, name="pro-home"),
    path("bienvenue/", pages.welcome, name="pro-welcome"),
    path("jeunes/<id:link_id>/", pages.young_person, name="pro-young-person"),
    path("jeunes/<id:link_id>/notes/", pages.note_add, name="pro-note-add"),
    path("jeunes/<id:link_id>/proposer/", pages.propose, name="pro-propose"),
    path("jeunes/<id:link_id>/fin/", pages.link_end, name="pro-link-end"),
    path(
        "jeunes/<id:link_id>/documents/<uuid:share_id>/",
        pages.document_open,
        name="pro-document",
    ),
    path("inviter/", pages.invite, name="pro-invite"),
    path(
        "invitations/<id:invitation_id>/retirer/",
        pages.invitation_withdraw,
        name="pro-invitation-withdraw",
    ),
    path("liens/", pages.links, name="pro-links"),
    path("profil/", pages.profile, name="pro-profile"),
]
