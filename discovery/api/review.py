"""Experts and peer review (垂直同行在线评议) over HTTP: API.md "Discovery (1.1)"."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Expert, Organization, User
from accounts.permissions import IsOperator
from accounts.services import expert_declare
from core import params
from core.errors import NotFound
from core.pagination import CursorPage
from core.serializers import ModelSerializer, StrictSerializer
from listings.models import Achievement, Field

from ..models import PeerReview
from ..selectors import review as selectors
from ..services import review as services
from .common import TAGS, found, parse


class ExpertInput(StrictSerializer):
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=Field.choices), min_length=1, max_length=10
    )
    organization = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    organization_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    conflicts = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=50
    )
    conflicts_note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ExpertOutput(ModelSerializer):
    username = serializers.CharField(source="user.username")
    conflicts: serializers.Field = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Expert
        fields = (
            "user",
            "username",
            "fields",
            "organization",
            "organization_name",
            "title",
            "conflicts",
            "conflicts_note",
            "active",
        )


class InvitationInput(StrictSerializer):
    expert = serializers.IntegerField(min_value=1, help_text="The expert's user id.")


class ReviewSubmitInput(StrictSerializer):
    trl = serializers.IntegerField(min_value=1, max_value=9)
    novelty = serializers.IntegerField(min_value=1, max_value=5)
    value_low = params.MoneyField()
    value_high = params.MoneyField()
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class PeerReviewOutput(ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title")
    value_low = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    value_high = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    class Meta:
        model = PeerReview
        fields = (
            "id",
            "achievement",
            "achievement_title",
            "expert",
            "status",
            "trl",
            "novelty",
            "value_low",
            "value_high",
            "comment",
            "submitted_at",
            "created_at",
        )


class ExpertMeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, responses=ExpertOutput, summary="我的评议专家资料")
    def get(self, request: Request) -> Response:
        return Response(ExpertOutput(found(Expert.objects.filter(user=request.user).first())).data)

    @extend_schema(
        tags=TAGS,
        request=ExpertInput,
        responses=ExpertOutput,
        summary="申报评议专家",
        description="A signed-in person declares (or updates) themselves as an expert: technology "
        "`fields`, where they work, and the organizations they declare a conflict with. Conflicts the "
        "market finds itself (membership, relation, a deal within 3 years) apply whatever is declared.",
    )
    def put(self, request: Request) -> Response:
        data = parse(ExpertInput, request.data)
        org_ids = set(data["conflicts"]) | ({data["organization"]} if data["organization"] else set())
        orgs = Organization.objects.in_bulk(list(org_ids))
        missing = sorted(org_ids - set(orgs))
        if missing:
            raise NotFound("not_found", _("机构不存在。"), fields={"conflicts": [str(m) for m in missing]})
        expert = expert_declare(
            user=request.user,
            fields=data["fields"],
            organization=orgs.get(data["organization"]) if data["organization"] else None,
            organization_name=data["organization_name"],
            title=data["title"],
            conflicts=[orgs[i] for i in data["conflicts"]],
            conflicts_note=data["conflicts_note"],
        )
        return Response(ExpertOutput(expert).data)


class ExpertListView(ListAPIView):
    permission_classes = [IsOperator]
    serializer_class = ExpertOutput
    pagination_class = CursorPage

    @extend_schema(tags=TAGS, summary="评议专家（运营）", description="Operators: every active expert.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Expert.objects.filter(active=True).select_related("user").prefetch_related("conflicts")


class InvitationView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        summary="邀请专家评议",
        request=InvitationInput,
        responses={201: PeerReviewOutput},
        description="An operator invites an expert -> 201 (the peer review, status `invited`), or 409 "
        "`conflict_of_interest` with the reason: the expert is a member of the holder or a related "
        "organization, works at or declared a conflict with one, or the expert's organization dealt "
        "with the holder within 3 years. 409 `already_invited`; 422 `not_an_expert`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(InvitationInput, request.data)
        achievement = found(Achievement.objects.filter(pk=pk).first())
        expert = User.objects.filter(pk=data["expert"]).first()
        if expert is None:
            raise NotFound("not_found", _("用户不存在。"), fields={"expert": [_("用户不存在。")]})
        review = services.review_invite(achievement=achievement, actor=request.user, expert=expert)
        return Response(PeerReviewOutput(review).data, status=status.HTTP_201_CREATED)


class AchievementReviewsView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PeerReviewOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAGS,
        summary="成果的同行评议",
        description="Individual reviews: the holder's members and operators (an expert sees "
        "only its own). The public sees only the aggregate on the achievement.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.peer_reviews_visible_to(self.request.user).filter(achievement_id=self.kwargs["pk"])


class MyReviewsView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PeerReviewOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAGS,
        summary="我可见的同行评议",
        description="An expert's invitations and reviews; a holder's reviews of its achievements; operators all.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.peer_reviews_visible_to(self.request.user)


class ReviewSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="提交同行评议",
        request=ReviewSubmitInput,
        responses=PeerReviewOutput,
        description="The invited expert: `{trl: 1-9, novelty: 1-5, value_low, value_high, comment}`; "
        "final once submitted (409 `invalid_status_transition`). 403 `not_invited_expert`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(ReviewSubmitInput, request.data)
        review = found(selectors.peer_reviews_visible_to(request.user).filter(pk=pk).first())
        review = services.review_submit(review=review, actor=request.user, **data)
        return Response(PeerReviewOutput(review).data)


urlpatterns = [
    path("experts/", ExpertListView.as_view(), name="expert-list"),
    path("experts/me/", ExpertMeView.as_view(), name="expert-me"),
    path("achievements/<int:pk>/review-invitations/", InvitationView.as_view(), name="review-invitation"),
    path(
        "achievements/<int:pk>/peer-reviews/",
        AchievementReviewsView.as_view(),
        name="achievement-peer-reviews",
    ),
    path("peer-reviews/", MyReviewsView.as_view(), name="peer-review-list"),
    path("peer-reviews/<int:pk>/submit/", ReviewSubmitView.as_view(), name="peer-review-submit"),
]
