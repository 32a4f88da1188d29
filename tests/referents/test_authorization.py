"""Who reaches what of the young person's référents: a young person reaches only their own
links, invitations, notes and proposals; every other role is refused and nothing is written
(endpoint x role matrix, see tests/authorization.py). The référent's own side is the
``/pro/`` web space, not this API: a référent is refused here like staff, linked or not."""

import pytest

from referents import selectors, services
from tests.authorization import World, cases, check

from .links import REFERENTS, account_invitation, catalogue_entry, code_invitation, snapshot

pytestmark = pytest.mark.django_db

LINK = "me/referents/{link_id}/"
INVITATION = "me/referents/invitations/{invitation_id}/"
PROPOSAL = "me/referents/proposals/{proposal_id}/"

# The world: the young person of 93 linked the référent (every scope), who wrote them a
# note and proposed a procedure; another référent sent an invitation to their account and
# gave a code in person. The young person of 75 has none of these: their own lists are
# empty (200), the 93 young person's objects are 404 to them, as objects that do not exist.
# A code is the credential of whoever holds it (given in person, to no account): any young
# person who types it sees who it is from, and nothing else.
# fmt: off
MATRIX = {
    #   anon   yp yp75  mtr  m75  ref rfew runl rend  r75 co93 st93 st75 pa93  nat   su
    ("GET", "me/referents/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", LINK):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH", LINK):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", LINK):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", LINK + "confirm/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "me/referents/code/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/referents/invitations/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", INVITATION + "accept/"):
        (401, 201, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", INVITATION + "decline/"):
        (401, 204, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/referents/notes/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "me/referents/proposals/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", PROPOSAL + "accept/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", PROPOSAL + "decline/"):
        (401, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # Each young person's own contacts (tests/referents/test_contacts.py: nothing of another).
    ("GET", "me/contacts/"):
        (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on
BODIES = {
    ("PATCH", LINK): lambda objects: {"scopes": ["profile"]},
    ("POST", "me/referents/code/"): lambda objects: {"code": objects["code"]},
    ("POST", INVITATION + "accept/"): lambda objects: {"scopes": ["profile"]},
}


@pytest.fixture
def world(young_person, referent, referent_unlinked):
    [link] = selectors.links_for_user(user=young_person)
    services.note_add(link=link, body="Pense à ta carte Vitale.")
    proposal = services.demarche_propose(link=link, entry_id=catalogue_entry().pk)
    invitation = account_invitation(referent_unlinked, young_person)
    _given_in_person, code = code_invitation(referent_unlinked)
    return World(
        args={"link_id": link.pk, "invitation_id": invitation.pk, "proposal_id": proposal.pk},
        objects={"code": code},
    )


@pytest.mark.parametrize(("key", "statuses"), cases(MATRIX))
def test_matrix(key, statuses, world, request):
    check(key, statuses, world=world, request=request, bodies=BODIES)


def test_another_young_person_sees_none_of_it_and_changes_nothing(
    world, client_for, other_young_person, referent
):
    """What the matrix's 200 and 404 mean for the young person of 75: empty lists of their
    own, and the other's link, invitation and proposal as if they did not exist."""
    client = client_for(other_young_person)
    before = snapshot()
    assert client.get(REFERENTS).json() == []
    assert client.get(REFERENTS + "invitations/").json() == []
    assert client.get(REFERENTS + "notes/").json()["results"] == []
    assert client.get(REFERENTS + "proposals/").json()["results"] == []
    link_url = f"{REFERENTS}{world.args['link_id']}/"
    for response in (
        client.get(link_url),
        client.patch(link_url, {"scopes": []}, format="json"),
        client.delete(link_url),
        client.post(link_url + "confirm/"),
        client.post(
            f"{REFERENTS}invitations/{world.args['invitation_id']}/accept/",
            {"scopes": []},
            format="json",
        ),
        client.post(f"{REFERENTS}proposals/{world.args['proposal_id']}/accept/"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "Léa" not in response.content.decode()
    assert snapshot() == before


def test_the_young_person_sees_their_own(world, client_for, young_person):
    client = client_for(young_person)
    [shown] = client.get(REFERENTS).json()
    assert shown["referent"]["first_name"] == "Léa"
    assert shown["referent"]["structure"] == "MECS Les Tilleuls"
    assert shown["status"] == "active"
    [invitation] = client.get(REFERENTS + "invitations/").json()
    assert invitation["referent"]["first_name"] == "Sophie"
    [note] = client.get(REFERENTS + "notes/").json()["results"]
    assert note["body"] == "Pense à ta carte Vitale."
    [proposal] = client.get(REFERENTS + "proposals/").json()["results"]
    assert proposal["entry_title"] == "Ouvrir un compte bancaire"
    assert proposal["status"] == "proposed"
