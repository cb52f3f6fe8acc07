"""Pages that compose several apps: the home page and the operators' console overview.
Each app renders its own pages; these only gather what the apps' selectors return."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.selectors import organizations_pending_review
from accounts.views import operator_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {})


@operator_required
def console(request: HttpRequest) -> HttpResponse:
    sections: list[dict[str, Any]] = [
        {
            "title": "机构认证",
            "count": organizations_pending_review().count(),
            "hint": "待审核的机构",
            "url": reverse("accounts:console_organizations"),
        },
    ]
    return render(request, "console.html", {"sections": sections})
