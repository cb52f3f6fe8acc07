"""Small helpers every app's pages share. Nothing here knows an app."""

from __future__ import annotations

from typing import Any

from .errors import DomainError


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
