"""Moved to ``mentoring.agenda.reminders``.

Kept only for the import sites outside this package's own modules (``mentoring/apps.py``,
the demo activity); delete it once they import from ``mentoring.agenda.reminders``.
"""

from .agenda.reminders import due_time, schedule_document

__all__ = ["due_time", "schedule_document"]
