"""Building blocks shared by every serializer of the API."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


class StrictFieldsMixin:
    """Refuse fields the serializer does not accept, instead of silently ignoring them.

    A typo in a field name from the app would otherwise be answered 200 while nothing
    changed; the user would believe their data was saved.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for name in data:
                if name in writable:
                    continue
                if name in self.fields:
                    errors[name] = [ErrorDetail(_("This field cannot be changed."), "read_only")]
                else:
                    errors[name] = [ErrorDetail(_("Unknown field."), "unknown_field")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorInnerSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=ErrorDetailSerializer(many=True))


class ErrorSerializer(serializers.Serializer):
    """The single error shape of the API (schema only)."""

    error = ErrorInnerSerializer()


class _BlankAsNullMixin:
    """An optional e-mail or link answers ``null`` when empty, never ``""``.

    ``""`` is not an e-mail nor a URI: a generated client that trusts the schema's
    ``format`` would reject it, while ``null`` is what it handles as "none".
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class OptionalEmailField(_BlankAsNullMixin, serializers.EmailField):
    """An e-mail address that may be missing: ``null``, not ``""``."""


class OptionalURLField(_BlankAsNullMixin, serializers.URLField):
    """A link that may be missing: ``null``, not ``""``."""
