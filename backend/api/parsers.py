"""The API's JSON parser: what cannot be stored or answered is refused at the door.

DRF's own parser hands the views whatever ``json.load`` makes of the body. Three kinds of
valid JSON still crash further in (a 500, sometimes in plain text): a body nested deeper
than Python recurses, a string holding a lone surrogate (``"\\ud800"``: no UTF-8 encodes
it, so neither the database nor the JSON renderer can write it back) and a string holding
a null character (PostgreSQL's text refuses it). This parser refuses them, and bodies
larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, before any view sees the data, so every
endpoint gets the same ``400 parse_error`` (or ``413``) in the error format.
"""

import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

# Far more than any body of the API nests (an object of lists of objects is 3), far
# less than Python's recursion limit, which the serializers, the renderer and the
# database's JSON encoder all lean on.
MAX_DEPTH = 32

# A lone surrogate: what ``json`` makes of ``"\ud800"``; a null character.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")


def _refuse(message: str) -> ParseError:
    return ParseError(_("JSON parse error: %(reason)s") % {"reason": message})


def check_parsed(data: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``ParseError`` if ``data`` nests deeper than ``max_depth`` or holds a string
    (a value or a key) that cannot be stored as UTF-8 text.

    Walks with its own stack, not by recursion: the depth it checks is the attacker's.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise _refuse(_("text cannot hold null characters or lone surrogates."))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise _refuse(_("nested too deeply."))
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded: size, depth and storable text (see the module)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parsers.get_encoding(parser_context)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
        try:
            text = raw.decode(encoding)
        except ValueError as exc:  # bytes that are not text in that charset
            raise _refuse(str(exc)) from exc
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:
            raise _refuse(_("nested too deeply.")) from exc
        except ValueError as exc:  # not JSON, or a number too long to read
            raise _refuse(str(exc)) from exc
        check_parsed(data)
        return data
