from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import Organization, User
from ..permissions import IsOperator
from ..selectors import organization_visible_to
from .serializers import (
    MemberInput,
    MembershipOutput,
    MeOutput,
    OrganizationInput,
    OrganizationOutput,
    PasswordChangeInput,
    RegisterInput,
    ReviewInput,
    TokenInput,
    TokenOutput,
    UserOutput,
)


class RegisterView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=RegisterInput, responses={201: UserOutput}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenInput, responses={200: TokenOutput}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes marks a locked-out attempt on it, and
        # its middleware answers 429 too_many_attempts (accounts/lockout.py).
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise exceptions.AuthenticationFailed(_("用户名或密码不正确。"), code="invalid_credentials")
        # A token by password is a sign-in: last_login moves and the failure count resets.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        _token, key = services.api_token_create(
            user=user, name=data.validated_data["name"], read_only=data.validated_data["read_only"]
        )
        return Response({"token": key, "read_only": data.validated_data["read_only"]})

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput, tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request.user).data)


class OrganizationCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=OrganizationInput, responses={201: OrganizationOutput}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        data = OrganizationInput(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_create(actor=request.user, **data.validated_data)
        return Response(OrganizationOutput(org).data, status=status.HTTP_201_CREATED)


class OrganizationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrganizationOutput, tags=["accounts"])
    def get(self, request: Request, pk: int) -> Response:
        qs = Organization.objects.filter(organization_visible_to(request.user)).distinct()
        org = get_object_or_404(qs.prefetch_related("status_changes__actor"), pk=pk)
        return Response(OrganizationOutput(org).data)


class OrganizationReviewView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=ReviewInput, responses=OrganizationOutput, tags=["accounts"])
    def post(self, request: Request, pk: int) -> Response:
        org = get_object_or_404(Organization, pk=pk)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_review(organization=org, actor=request.user, **data.validated_data)
        return Response(OrganizationOutput(org).data)


class OrganizationMembersView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MemberInput,
        responses={201: MembershipOutput},
        tags=["accounts"],
        description="The organization's admins add a user by username: 403 `admin_only`, 400 `unknown_user`, "
        "409 `already_member`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        org = get_object_or_404(
            Organization.objects.filter(organization_visible_to(request.user)).distinct(), pk=pk
        )
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add_by_username(
            organization=org,
            actor=request.user,
            username=data.validated_data["username"],
            role=data.validated_data["role"],
        )
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)


class OrganizationMemberDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, tags=["accounts"])
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        org = get_object_or_404(
            Organization.objects.filter(organization_visible_to(request.user)).distinct(), pk=pk
        )
        user = get_object_or_404(User, pk=user_id)
        services.membership_remove(organization=org, actor=request.user, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeInput,
        responses={204: None},
        tags=["accounts"],
        description="Change the caller's password. 400 `wrong_password` or `weak_password` with field errors.",
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_change_password(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
