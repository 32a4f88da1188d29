"""The profile's words for ``GET /api/v1/vocabulary/`` (``backend.vocabulary``)."""

from .models import SITUATION_FLAGS, Language, YoungPersonProfile

VOCABULARIES = {
    "situations": [
        (flag, YoungPersonProfile._meta.get_field(flag).verbose_name) for flag in SITUATION_FLAGS
    ],
    "languages": Language.choices,
}
