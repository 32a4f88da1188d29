"""``GET /api/v1/vocabulary/``: every code the app meets, with its label."""

import hashlib
import json

from django.http import HttpResponseNotModified
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

    @extend_schema(responses={200: VocabularySerializer, 304: None})
    def get(self, request: Request) -> Response:
        language = languages.current()
        data = VocabularySerializer(
            {
                "language": language,
                "direction": languages.direction(language),
                "vocabularies": vocabularies(),
            }
        ).data
        # The words change with a deploy only: a phone keeps them and asks with its tag.
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        etag = f'W/"{digest[:32]}"'
        if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
            return HttpResponseNotModified(headers={"ETag": etag})
        response = Response(data)
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=3600"
        return response
