"""DRF's JSON parser, with a nesting attack answered as malformed input instead of a crash."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # "[[[[...]]]]" thousands deep exhausts the parser's stack
            raise ParseError(_("JSON 嵌套层级过深。")) from exc
