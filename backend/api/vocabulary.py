"""``GET /api/v1/vocabulary/``: every code the app meets, with its label."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend import languages
from backend.vocabulary import vocabularies


class WordSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class VocabularySerializer(serializers.Serializer):
    language = serializers.CharField(help_text="The language of the labels (Accept-Language).")
    direction = serializers.ChoiceField(choices=["ltr", "rtl"])
    vocabularies = serializers.DictField(
        child=WordSerializer(many=True),
        help_text="categories, themes, publics, modes_accueil, document_types, situations, "
        "mentoring_domains, languages, availability_slots...",
    )


class VocabularyView(APIView):
    """The labels of every code (categories, themes, publics, document types, situations,
    mentoring domains, languages, time slots), in the request's language."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: VocabularySerializer})
    def get(self, request: Request) -> Response:
        language = languages.current()
        return Response(
            VocabularySerializer(
                {
                    "language": language,
                    "direction": languages.direction(language),
                    "vocabularies": vocabularies(),
                }
            ).data
        )
