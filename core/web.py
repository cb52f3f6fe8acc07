"""Small helpers every app's pages share. Nothing here knows an app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .errors import DomainError
from .money import money_text_error, money_text_valid


def form_apply_error(form: Any, error: DomainError) -> None:
    """Show a service's refusal: its ``fields`` next to the fields, its ``detail`` above the form.

    Field names the form does not have (or a refusal without fields) go above the form, so no
    message is ever dropped; the typed values stay because the form is re-rendered bound.
    """
    above = [error.detail]
    for field, errors in (error.fields or {}).items():
        for message in errors if isinstance(errors, list) else [errors]:
            if field in form.fields:
                form.add_error(field, str(message))
            elif str(message) not in above:
                above.append(str(message))
    for message in above:
        form.add_error(None, message)


class MoneyFormField(forms.DecimalField):
    """Money typed on a page, by the market's one rule (``core.money.MONEY_TEXT``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not money_text_valid(value):
            raise ValidationError(money_text_error(), code="invalid_amount")
        return super().to_python(value)
