"""The agenda: meetings of a pair, a young person's own appointments, their reminders
(by e-mail, push, SMS and the in-app inbox), calendar files and the phones that receive pushes.

A second domain inside mentoring, whose models stay in ``mentoring.models``: ``services``
writes, ``api`` answers, ``reminders`` schedules and dispatches, ``channels`` delivers
(``sms`` for SMS: numbers and consent, caps, providers, receipts), ``ics`` exports. The
writes are re-exported here (``agenda.meeting_answer(...)``).
"""

from .services import (
    appointment_delete,
    appointment_save,
    device_register,
    meeting_answer,
    meeting_cancel,
    meeting_propose,
    meeting_reschedule,
    notifications_mark_read,
)

__all__ = [
    "appointment_delete",
    "appointment_save",
    "device_register",
    "meeting_answer",
    "meeting_cancel",
    "meeting_propose",
    "meeting_reschedule",
    "notifications_mark_read",
]
