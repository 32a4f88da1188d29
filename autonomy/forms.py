"""The forms of the référent's pages: schedule an interview, record it held; write the
projet with the young person; fill the assessment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action, Actor, Domain, Goal, Interview, Level


class InterviewScheduleForm(forms.Form):
    kind = forms.ChoiceField(choices=Interview.Kind.choices, widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("The young person gets it as an appointment, with its reminders."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class InterviewHeldForm(forms.Form):
    kind = forms.ChoiceField(choices=Interview.Kind.choices, widget=forms.HiddenInput)
    held_on = forms.DateField(
        label=_("Held on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


# --- The projet, written with the young person ------------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    title = forms.CharField(label=_("Goal"), max_length=200, strip=True)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200, strip=True)
    actor = forms.ChoiceField(
        label=_("Who does it"),
        choices=[
            (Actor.YOUNG_PERSON.value, _("The young person")),
            (Actor.REFERENT.value, _("A référent")),
            (Actor.MENTOR.value, _("The mentor")),
        ],
    )
    due_on = forms.DateField(
        label=_("By"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)


class WishesForm(forms.Form):
    text = forms.CharField(
        label=_("What the young person wants"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    review_on = forms.DateField(
        label=_("Review date"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )


class AssessmentForm(forms.Form):
    """One radio group per item of the young person's référentiel; items left blank are
    not answered."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=[(level.value, level.label) for level in reversed(Level)],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, int]:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}

    def by_domain(self):
        """The fields grouped by domain, in the référentiel's order, for the template."""
        groups: dict[str, list] = {}
        for item in self.items:
            groups.setdefault(item.domain, []).append(self[item.key])
        return [(Domain(domain).label, fields) for domain, fields in groups.items()]
