"""The forms of the référent's "Étapes" page: schedule an interview, record it held."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Interview


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
