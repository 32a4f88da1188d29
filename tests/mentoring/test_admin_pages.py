"""The coordinator's pages in the admin: words instead of the app's codes, and the workflow
on the object's page (``backend.admin_actions.ObjectActionsMixin``): a button only for
whoever may act and only when the object's state allows it, pressed with what was just
typed, and the same refusals as the page itself (scoping, permissions, methods)."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from mentoring import conversations, services
from mentoring.models import ConversationReport, Match, MentoringRequest, MentorProfile

from .factories import mentor_application, service_request_data

pytestmark = pytest.mark.django_db

MENTORS = "/admin/mentoring/mentorprofile/"
BUTTON = "_object_action"


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _buttons(response) -> list[str]:
    return [button["name"] for button in response.context.get("object_buttons", [])]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def applied(mentor):
    """Marc's application in 93, waiting for vetting."""
    return services.mentor_apply(user=mentor, data=mentor_application())


def _change(profile) -> str:
    return f"{MENTORS}{profile.pk}/change/"


def _action(profile, name) -> str:
    return f"{MENTORS}{profile.pk}/action/{name}/"


def _checked(profile, days_ago=10):
    profile.honourability_checked_on = timezone.localdate() - timedelta(days=days_ago)
    profile.save()
    return profile


# --- Words, not codes ------------------------------------------------------------------


def test_the_mentor_page_shows_what_they_ticked_in_words(applied, coordinator_93):
    page = _page(_admin(coordinator_93), _change(applied))
    assert "Logement, Emploi et formation" in page
    assert "Français, Arabe" in page
    assert "mercredi soir, samedi matin" in page
    for code in ("housing", "job_training", "wed_evening", "sat_morning", "[&quot;"):
        assert code not in page


def test_the_mentors_list_names_them_once_with_their_status_in_its_column(applied, coordinator_93):
    page = _page(_admin(coordinator_93), MENTORS)
    assert "En attente de validation" in page
    assert f">{applied.user}</a>" in page  # no status repeated after the name


def test_the_request_page_shows_words_and_confirms_from_its_one_form(
    mentee, approved_mentor, coordinator_93
):
    request = services.request_create(
        young_person=mentee,
        data=service_request_data(languages=["fr", "ti"], availability=["wed_evening"]),
    )
    response = _admin(coordinator_93).get(f"/admin/mentoring/mentoringrequest/{request.pk}/change/")
    page = response.content.decode()
    assert "Logement" in page and "Français, Tigrigna" in page and "mercredi soir" in page
    assert "wed_evening" not in page and "[&quot;" not in page
    # The "Confirm" button posts the page's form: a form inside it would be dropped by
    # the browser, and its button would do nothing.
    confirm = f"/admin/mentoring/mentoringrequest/{request.pk}/confirm/{approved_mentor.pk}/"
    assert f'formaction="{confirm}"' in page
    assert page.count("<form") == page.count("</form>")
    assert 'id="confirm-' not in page
    assert escape("Confirmer le binôme avec Marc") in page
    assert 'name="_save"' not in page  # every field is read-only: nothing to save


def test_bulk_matching_says_why_in_words(mentee, approved_mentor, make_mentee, coordinator_93):
    far = make_mentee("loin@example.org")
    services.request_create(
        young_person=far, data=service_request_data(needs=["health"], languages=["ps"])
    )
    first = services.request_create(young_person=mentee, data=service_request_data())
    response = _admin(coordinator_93).post(
        "/admin/mentoring/mentoringrequest/",
        {"action": "bulk_match", "_selected_action": [first.pk]},
        follow=True,
    )
    shown = " ".join(_messages(response))
    assert "aucun mentor approuvé ne convient : 1" in shown
    assert "no_compatible_mentor" not in shown


def test_a_match_page_shows_its_score_in_words(mentee, approved_mentor, coordinator_93):
    request = services.request_create(young_person=mentee, data=service_request_data())
    match = services.match_create(request=request, mentor=approved_mentor, origin="coordinator")
    page = _page(_admin(coordinator_93), f"/admin/mentoring/match/{match.pk}/change/")
    assert " sur 100 (Domaines : 40,0, Langue : " in page
    assert "&quot;total&quot;" not in page and "&quot;parts&quot;" not in page


# --- The mentor's buttons follow their status ---------------------------------------------


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("pending", ["approve", "reject"]),
        ("approved", ["suspend"]),
        ("suspended", ["approve", "reject"]),
        ("rejected", ["approve"]),
    ],
)
def test_a_mentor_page_offers_the_decisions_their_status_allows(
    applied, coordinator_93, status, buttons
):
    MentorProfile.objects.filter(pk=applied.pk).update(status=status)
    response = _admin(coordinator_93).get(_change(applied))
    assert _buttons(response) == buttons
    page = response.content.decode()
    assert "Et maintenant ?" in page
    labels = {"approve": "Approuver", "reject": "Refuser", "suspend": "Suspendre"}
    for name, label in labels.items():
        shown = re.search(rf'value="{name}"[^>]*>{label}</button>', page) is not None
        assert shown == (name in buttons)


def test_each_button_says_what_happens_next(applied, coordinator_93):
    page = _page(_admin(coordinator_93), _change(applied))
    assert escape("aux jeunes en attente dans le département") in page
    assert "aucun courriel n'est envoyé" in page.replace("&#x27;", "'")
    assert 'aria-describedby="jalon-next-approve"' in page and 'id="jalon-next-approve"' in page


def test_a_reader_sees_the_page_without_buttons_and_cannot_press_them(applied, staff_93):
    # Département staff have no mentoring permission; given the right to read only:
    staff_93.user_permissions.add(Permission.objects.get(codename="view_mentorprofile"))
    client = _admin(staff_93)
    response = client.get(_change(applied))
    assert response.status_code == 200
    assert _buttons(response) == [] and "Et maintenant ?" not in response.content.decode()
    assert client.post(_action(applied, "reject")).status_code == 403
    assert client.post(_change(applied), {BUTTON: "reject"}).status_code == 403
    applied.refresh_from_db()
    assert applied.status == "pending"


def test_staff_without_the_mentoring_permissions_get_403(applied, staff_93):
    response = _admin(staff_93).post(_action(applied, "reject"))
    assert response.status_code == 403
    applied.refresh_from_db()
    assert applied.status == "pending" and applied.decided_at is None


# --- Pressing a button ---------------------------------------------------------------------


def test_approve_saves_the_check_just_typed_then_approves(applied, coordinator_93):
    client = _admin(coordinator_93)
    today = timezone.localdate()
    response = client.post(
        _change(applied),
        {
            "honourability_checked_on": today.strftime("%d/%m/%Y"),
            "decision_note": "",
            BUTTON: "approve",
        },
    )
    assert response.status_code == 302 and response.url == _change(applied)
    applied.refresh_from_db()
    assert (applied.status, applied.honourability_checked_on) == ("approved", today)
    assert applied.decided_by == coordinator_93
    page = client.get(response.url)
    assert _messages(page) == ["Vos modifications sont enregistrées.", "1 mentor mis à jour."]
    assert _buttons(page) == ["suspend"]


def test_approve_without_a_check_says_why_and_changes_nothing(applied, coordinator_93):
    versions = applied.history.count()
    response = _admin(coordinator_93).post(
        _change(applied),
        {"honourability_checked_on": "", "decision_note": "", BUTTON: "approve"},
        follow=True,
    )
    assert any("contrôle d'honorabilité récent" in m for m in _messages(response))
    applied.refresh_from_db()
    assert applied.status == "pending"
    # Only the button was pressed: no empty version, no "nothing changed" log line.
    assert applied.history.count() == versions
    assert not LogEntry.objects.exists()


def test_a_form_with_errors_runs_no_action(applied, coordinator_93):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = _admin(coordinator_93).post(
        _change(applied),
        {"honourability_checked_on": tomorrow.strftime("%d/%m/%Y"), BUTTON: "approve"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert "ne peut pas être daté dans le futur" in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == "pending" and applied.honourability_checked_on is None


def test_the_action_url_runs_it_and_comes_back_with_its_message(applied, coordinator_93):
    _checked(applied)
    client = _admin(coordinator_93)
    response = client.post(_action(applied, "approve"))
    assert response.status_code == 302 and response.url == _change(applied)
    assert _messages(client.get(response.url)) == ["1 mentor mis à jour."]
    applied.refresh_from_db()
    assert applied.status == "approved"


def test_the_action_url_takes_a_post_only(applied, coordinator_93):
    _checked(applied)
    response = _admin(coordinator_93).get(_action(applied, "approve"))
    assert response.status_code == 405
    applied.refresh_from_db()
    assert applied.status == "pending"


def test_a_coordinator_of_75_does_not_find_a_93_mentor(applied, coordinator_75):
    _checked(applied)
    client = _admin(coordinator_75)
    assert client.post(_action(applied, "approve")).status_code == 404
    assert client.post(_change(applied), {BUTTON: "approve"}).status_code in (302, 404)
    applied.refresh_from_db()
    assert applied.status == "pending"


def test_an_action_the_page_does_not_offer_is_refused(applied, coordinator_93):
    client = _admin(coordinator_93)
    assert client.post(_action(applied, "delete_selected")).status_code == 403
    assert client.post(_action(applied, "no_such_action")).status_code == 403


def test_a_decision_overtaken_meanwhile_is_not_taken_again(applied, coordinator_93):
    _checked(applied)
    client = _admin(coordinator_93)
    client.post(_action(applied, "approve"), follow=True)
    applied.refresh_from_db()
    decided_at = applied.decided_at
    # A page opened before (by another coordinator): "approve" no longer applies.
    form = {"honourability_checked_on": applied.honourability_checked_on.strftime("%d/%m/%Y")}
    response = client.post(_change(applied), {**form, BUTTON: "approve"}, follow=True)
    assert _messages(response) == [
        "Approuver : ce n'est plus possible, la page a changé entre-temps. La voici telle "
        "qu'elle est maintenant."
    ]
    applied.refresh_from_db()
    assert applied.decided_at == decided_at
    # Through the action's URL (nothing typed to keep), it is refused.
    assert client.post(_action(applied, "approve")).status_code == 403
    applied.refresh_from_db()
    assert applied.decided_at == decided_at


def test_suspending_from_the_page_ends_the_pairs(mentee, approved_mentor, coordinator_93):
    request = services.request_create(young_person=mentee, data=service_request_data())
    match = services.match_create(request=request, mentor=approved_mentor, origin="coordinator")
    profile = approved_mentor.mentor_profile
    checked = profile.honourability_checked_on
    form = {"honourability_checked_on": checked.strftime("%d/%m/%Y"), "decision_note": "Signalé"}
    _admin(coordinator_93).post(_change(profile), {**form, BUTTON: "suspend"})
    profile.refresh_from_db()
    match.refresh_from_db()
    assert profile.status == "suspended" and profile.decision_note == "Signalé"
    assert (match.status, match.end_reason) == ("ended", "safety")


def test_the_bulk_actions_are_kept_and_refuse_what_the_status_does_not_allow(
    applied, coordinator_93
):
    response = _admin(coordinator_93).post(
        MENTORS, {"action": "suspend", "_selected_action": [applied.pk]}, follow=True
    )
    assert any("ne s'applique pas à ce mentor" in m for m in _messages(response))
    applied.refresh_from_db()
    assert applied.status == "pending"


# --- Matches and reports ----------------------------------------------------------------


@pytest.fixture
def match(mentee, approved_mentor):
    request = services.request_create(young_person=mentee, data=service_request_data())
    return services.match_create(request=request, mentor=approved_mentor, origin="coordinator")


def test_a_match_is_ended_for_safety_from_its_page(match, coordinator_93, coordinator_75):
    url = f"/admin/mentoring/match/{match.pk}/change/"
    assert (
        _admin(coordinator_75)
        .post(f"/admin/mentoring/match/{match.pk}/action/end_for_safety/")
        .status_code
        == 404
    )
    client = _admin(coordinator_93)
    response = client.get(url)
    assert _buttons(response) == ["end_for_safety"]
    assert 'name="_save"' not in response.content.decode()  # nothing there to save
    response = client.post(url, {BUTTON: "end_for_safety"}, follow=True)
    assert _messages(response) == ["1 binôme arrêté."]
    match.refresh_from_db()
    assert (match.status, match.end_reason) == ("ended", "safety")
    assert _buttons(client.get(url)) == []


def test_a_report_is_resolved_from_its_page_with_what_was_done(match, mentee, coordinator_93):
    conversations.message_send(match=match, sender=mentee, body="Il me met mal à l'aise.")
    report = conversations.conversation_report(match=match, reporter=mentee, reason="malaise")
    url = f"/admin/mentoring/conversationreport/{report.pk}/change/"
    client = _admin(coordinator_93)
    assert _buttons(client.get(url)) == ["mark_resolved"]
    response = client.post(
        url,
        {"resolution_note": "Appel aux deux, binôme suivi.", BUTTON: "mark_resolved"},
        follow=True,
    )
    assert _messages(response) == [
        "Vos modifications sont enregistrées.",
        "1 signalement marqué comme traité.",
    ]
    report = ConversationReport.objects.get(pk=report.pk)
    assert report.resolved_by == coordinator_93
    assert report.resolution_note == "Appel aux deux, binôme suivi."
    assert _buttons(client.get(url)) == []
    assert Match.objects.get(pk=match.pk).status == "active"  # resolving ends nothing


def test_a_pair_refused_is_said_to_the_coordinator_as_a_coordinator(
    match, mentee, other_mentor, approve, coordinator_93
):
    approve(other_mentor)
    request = match.request
    # As when the young person's pick was accepted while the coordinator's page was open:
    # the request still reads as waiting, the young person has a mentor.
    MentoringRequest.objects.filter(pk=request.pk).update(status=MentoringRequest.Status.WAITING)
    response = _admin(coordinator_93).post(
        f"/admin/mentoring/mentoringrequest/{request.pk}/confirm/{other_mentor.pk}/", follow=True
    )
    assert _messages(response) == [
        "Ce ou cette jeune a déjà un mentor, ou un mentor étudie sa demande."
    ]
