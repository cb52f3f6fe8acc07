from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema

from .. import services
from ..authentication import ApiTokenAuthentication
from ..models import ApiToken, Invitation, Organization, User
from ..notification_kinds import LABELS as NOTIFICATION_LABELS
from ..notification_kinds import kind_label
from ..permissions import IsOperator
from ..selectors import (
    api_token_for_revocation,
    api_tokens_visible_to,
    invitations_open_for,
    organization_visible_to,
)
from .serializers import (
    ApiTokenCreatedOutput,
    ApiTokenCreateInput,
    ApiTokenOutput,
    InvitationOutput,
    LeaveInput,
    MemberInput,
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
        token, key = services.api_token_create(
            user=user, name=data.validated_data["name"], read_only=data.validated_data["read_only"]
        )
        return Response({"token": key, "read_only": token.read_only, "expires_at": token.expires_at})

    @extend_schema(
        request=None,
        responses={204: None},
        tags=["accounts"],
        description="Revokes the token this request presents (`Authorization: Token <key>`); it stops "
        "working at once. 401 without a token.",
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated()
        services.api_token_revoke(token=request.auth, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self) -> list[Any]:
        # POST signs in by password; DELETE needs the token it revokes.
        if self.request is not None and self.request.method == "DELETE":
            return [ApiTokenAuthentication()]
        return []

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"


class ApiTokensView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=cursor_page_schema(ApiTokenOutput, "ApiTokenPage"),
        parameters=[
            CURSOR_PARAMETER,
            OpenApiParameter("user", int, description="Operators: the tokens of this user only."),
        ],
        tags=["accounts"],
        description="The caller's live tokens, newest first (never their keys). Operators may ask "
        "for one user's with `user`. Revoked and expired tokens are not listed.",
    )
    def get(self, request: Request) -> Response:
        tokens = api_tokens_visible_to(request.user, user_id=request.query_params.get("user"))
        paginator = CursorPage()
        paginator.ordering = ("-created_at", "-id")
        page = paginator.paginate_queryset(tokens, request, view=self)
        return paginator.get_paginated_response(ApiTokenOutput(page, many=True).data)

    @extend_schema(
        request=ApiTokenCreateInput,
        responses={201: ApiTokenCreatedOutput},
        tags=["accounts"],
        description="A named token for the caller; the key is in this response only. `expires_in_days` "
        "1-365 (default 90).",
    )
    def post(self, request: Request) -> Response:
        data = ApiTokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, **data.validated_data)
        body = {"id": token.pk, "name": token.name, "token": key, "read_only": token.read_only}
        return Response({**body, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={204: None},
        tags=["accounts"],
        description="Its owner or an operator revokes a token; it stops working at once. 404 for "
        "anyone else's token.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        token = api_token_for_revocation(request.user, pk)
        if token is None:
            raise Http404
        services.api_token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        responses={201: InvitationOutput},
        tags=["accounts"],
        description="The organization's admins invite a registered person by username; the person becomes "
        "a member only on accepting (`POST /api/v1/invitations/{id}/accept/`). 403 `admin_only`, "
        "400 `unknown_user`, 409 `already_member` or `already_invited`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        org = get_object_or_404(
            Organization.objects.filter(organization_visible_to(request.user)).distinct(), pk=pk
        )
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.membership_invite(
            organization=org,
            actor=request.user,
            username=data.validated_data["username"],
            role=data.validated_data["role"],
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=cursor_page_schema(InvitationOutput, "InvitationPage"),
        parameters=[CURSOR_PARAMETER],
        tags=["accounts"],
        description="The invitations waiting for the caller's answer.",
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPage()
        page = paginator.paginate_queryset(invitations_open_for(request.user), request, view=self)
        return paginator.get_paginated_response(InvitationOutput(page, many=True).data)


class InvitationAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    answer = "accept"

    @extend_schema(
        request=None,
        responses=InvitationOutput,
        tags=["accounts"],
        description="The invited person accepts (membership starts with the invited role) or declines. "
        "404 for anyone else; 409 `invalid_status_transition` once answered.",
    )
    def post(self, request: Request, pk: int) -> Response:
        invitation = get_object_or_404(Invitation.objects.select_related("organization", "user"), pk=pk)
        if self.answer == "accept":
            services.invitation_accept(invitation=invitation, actor=request.user)
        else:
            services.invitation_decline(invitation=invitation, actor=request.user)
        invitation.refresh_from_db()
        return Response(InvitationOutput(invitation).data)


class OrganizationLeaveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LeaveInput,
        responses={204: None},
        tags=["accounts"],
        description="The caller leaves the organization. The last admin names a member as `successor`, "
        "who becomes an admin: otherwise 409 `last_admin`. 409 `not_a_member`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        org = get_object_or_404(Organization, pk=pk)
        data = LeaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.membership_leave(organization=org, actor=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


# 消息设置: e-mail on or off per kind of notification ------------------------------------------


class NotificationPreferenceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(NOTIFICATION_LABELS), help_text="The notification's kind.")
    label = serializers.CharField(help_text="The kind in the words of the preferences page.")
    email = serializers.BooleanField(help_text="Sent by e-mail too (in-app always).")


class NotificationPreferencePage(serializers.Serializer):
    results = NotificationPreferenceOutput(many=True)
    next = serializers.CharField(allow_null=True, help_text="Always null: one page holds every kind.")


class NotificationPreferenceInput(serializers.Serializer):
    email = serializers.BooleanField()


def _preference_row(kind: str, email: bool) -> dict[str, Any]:
    return {"kind": kind, "label": kind_label(kind), "email": email}


class NotificationPreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=NotificationPreferencePage,
        tags=["accounts"],
        description="Every kind of notification the market sends and whether the caller gets it by "
        "e-mail (in-app messages always arrive). One page, `next` null.",
    )
    def get(self, request: Request) -> Response:
        chosen = services.notification_preferences_of(request.user)
        return Response({"results": [_preference_row(k, on) for k, on in chosen.items()], "next": None})


class NotificationPreferenceDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=NotificationPreferenceInput,
        responses=NotificationPreferenceOutput,
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(NOTIFICATION_LABELS)),
        ],
        tags=["accounts"],
        description="Switch e-mail for one kind on or off. 404 `unknown_kind`.",
    )
    def put(self, request: Request, kind: str) -> Response:
        data = NotificationPreferenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.notification_preference_set(
            user=request.user, kind=kind, email=data.validated_data["email"]
        )
        return Response(_preference_row(preference.kind, preference.email))
