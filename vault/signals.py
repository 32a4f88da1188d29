"""The vault's domain signals: what apps above it may hang on, without the vault knowing.

``document_expiry_changed(sender=Document, document=...)`` is sent by the services, in
the transaction that writes it, when a document is created and when its expiry date or
its type (which sets how early an expiry is announced) changes. Mentoring schedules the
document-expiry reminders on it. A deleted document needs no signal: its reminders go
with it (``on_delete=CASCADE``).
"""

from django.dispatch import Signal

document_expiry_changed = Signal()
