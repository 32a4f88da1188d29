"""The path to autonomy's part of a user's data export and erasure (``backend.personal_data``)."""

from .models import Assessment, CheckIn, Interview, Projet, ProjetChange

SECTION = "autonomy"


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    """The young person's interviews, projet (with its whole history), assessments and
    check-ins."""
    return {
        "interviews": [
            {
                "kind": interview.kind,
                "requested_at": _iso(interview.requested_at),
                "scheduled_for": _iso(interview.scheduled_for),
                "held_on": _iso(interview.held_on),
                "created_at": _iso(interview.created_at),
                "updated_at": _iso(interview.updated_at),
            }
            for interview in Interview.objects.filter(young_person=user).order_by("kind")
        ],
        "projet": _projet(user),
        "assessments": [
            {
                "filled_by": assessment.by_role,
                "by_name": assessment.by_name,
                "version": assessment.version,
                "created_at": _iso(assessment.created_at),
                "answers": {
                    answer.item.key: {"item": answer.item.text, "level": answer.level}
                    for answer in assessment.answers.all()
                },
            }
            for assessment in Assessment.objects.filter(young_person=user)
            .prefetch_related("answers__item")
            .order_by("created_at")
        ],
        "check_ins": [
            {
                "month": check_in.month.strftime("%Y-%m"),
                "housing": check_in.housing,
                "activity": check_in.activity,
                "resources": check_in.resources,
                "needs_help": check_in.needs_help,
                "tell_mentor": check_in.tell_mentor,
                "help_asked_at": _iso(check_in.help_asked_at),
                "mentor_told_at": _iso(check_in.mentor_told_at),
                # Where life was that month, as the figures count it.
                "age": check_in.age,
                "months_after_care": check_in.months_after_care,
                "departement": check_in.departement_id,
                "created_at": _iso(check_in.created_at),
                "updated_at": _iso(check_in.updated_at),
            }
            for check_in in CheckIn.objects.filter(young_person=user).order_by("month")
        ],
    }


def _projet(user) -> dict | None:
    projet = Projet.objects.filter(young_person=user).first()
    if projet is None:
        return None
    return {
        "review_on": _iso(projet.review_on),
        "created_at": _iso(projet.created_at),
        "updated_at": _iso(projet.updated_at),
        "trusted_person": {
            "name": projet.trusted_person_name,
            "relation": projet.trusted_person_relation,
            "phone": projet.trusted_person_phone,
        },
        "wishes": {row.domain: row.text for row in projet.wishes.all()},
        "goals": [
            {
                "domain": goal.domain,
                "title": goal.title,
                "status": goal.status,
                "shared_with_mentor": goal.shared_with_mentor,
                "created_at": _iso(goal.created_at),
                "updated_at": _iso(goal.updated_at),
                "actions": [
                    {
                        "title": action.title,
                        "entry": action.entry.title if action.entry else None,
                        "actor": action.actor,
                        "due_on": _iso(action.due_on),
                        "status": action.status,
                        "demarche": action.demarche_id,
                        "created_at": _iso(action.created_at),
                        "updated_at": _iso(action.updated_at),
                    }
                    for action in goal.actions.all()
                ],
            }
            for goal in projet.goals.prefetch_related("actions__entry")
        ],
        "history": [
            {
                "at": _iso(change.at),
                "by_role": change.by_role,
                "by_name": change.by_name,
                "what": change.what,
                "subject": change.subject,
                "fields": change.fields,
            }
            for change in projet.changes.order_by("at", "id")
        ],
    }


def erase(user) -> None:
    """A young person's rows cascade with the account. A référent or a mentor who erases
    theirs is removed from the projets and assessments they wrote in: the lines stay
    (the young person's history), under their role only ("Un·e référent·e")."""
    ProjetChange.objects.filter(by=user).update(by_name="")
    Assessment.objects.filter(by=user).exclude(young_person=user).update(by_name="")
