"""Account pages: sign up, log in and out, the user's organization and its verification status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from config.errors import DomainError

from . import services
from .forms import OrganizationForm, SignupForm
from .selectors import user_memberships


def form_apply_error(form, error: DomainError) -> None:  # type: ignore[no-untyped-def]
    """Show a service's refusal next to the fields it names (or above the form)."""
    if error.fields:
        for field, errors in error.fields.items():
            for message in errors if isinstance(errors, list) else [errors]:
                form.add_error(field if field in form.fields else None, str(message))
    else:
        form.add_error(None, error.detail)


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(**form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功。请登记您的机构，通过平台认证后即可挂牌或竞买。")
            return redirect("accounts:organization")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def organization(request: HttpRequest) -> HttpResponse:
    memberships = list(user_memberships(request.user).prefetch_related("organization__status_changes"))
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, "机构已登记，等待平台审核。")
            return redirect("accounts:organization")
    return render(request, "accounts/organization.html", {"memberships": memberships, "form": form})
