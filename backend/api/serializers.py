"""Building blocks shared by every serializer of the API."""

from collections.abc import Mapping
from typing import ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import flatten_choices_dict, to_choices_dict


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


class VocabularyChoiceField(serializers.ChoiceField):
    """A ``ChoiceField`` over a long, fixed vocabulary (hundreds of themes), cheap to use
    on every request.

    DRF copies every field of a serializer for each instance, and a ``ChoiceField``
    copies and indexes its whole list of choices each time: for a search's query
    parameters, that was most of the request. Here the choices must be a tuple (fixed):
    they are indexed once per vocabulary and shared by the copies.
    """

    _indexes: ClassVar[dict[int, tuple]] = {}

    def __init__(self, choices: tuple, **kwargs) -> None:
        if not isinstance(choices, tuple):
            raise TypeError("VocabularyChoiceField needs its choices as a tuple.")
        super().__init__(choices, **kwargs)

    def _get_choices(self):
        return self._choices

    def _set_choices(self, choices) -> None:
        index = self._indexes.get(id(choices))
        if index is None or index[0] is not choices:
            grouped = to_choices_dict(choices)
            flat = flatten_choices_dict(grouped)
            index = (choices, grouped, flat, {str(key): key for key in flat})
            self._indexes[id(choices)] = index
        _choices, self.grouped_choices, self._choices, self.choice_strings_to_values = index

    choices = property(_get_choices, _set_choices)

    def __deepcopy__(self, memo):
        # The choices are a tuple: shared, not copied.
        return self.__class__(*self._args, **self._kwargs)


class QueryParamsMixin:
    """For a serializer of query parameters read on every request of a hot endpoint.

    DRF deep-copies each declared field, arguments included (lazy help texts, choices),
    for every serializer instance: for the catalogue's search, more than its own work.
    Fields are rebuilt from their arguments instead, which are not changed in place.
    """

    def get_fields(self) -> dict:
        return {
            name: field.__class__(*field._args, **field._kwargs)
            for name, field in self._declared_fields.items()
        }
