"""Demands (供需荟) over HTTP: API.md "Discovery (1.1)"."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from accounts.selectors import is_operator, member_organization_ids
from core import params
from core.decisions import REVIEW
from core.errors import Forbidden, NotFound
from core.pagination import CursorPage, SyncCursorPage
from core.serializers import ModelSerializer, StrictSerializer
from listings.models import Achievement, Field, Listing, Rights
from listings.selectors import listings_visible_to

from ..models import Demand, DemandResponse, FeedbackReason
from ..selectors import demands as selectors
from ..selectors.matching import achievement_matching_demands, demand_matches
from ..services import demands as services
from ..services.index import achievement_index_refresh
from .common import TAGS, OrgRef, found, parse


class DemandInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    field = serializers.ChoiceField(choices=Field.choices)
    budget_min = params.MoneyField(required=False, allow_null=True, default=None)
    budget_max = params.MoneyField(required=False, allow_null=True, default=None)
    rights = serializers.ChoiceField(choices=Rights.choices)
    deadline = params.DateField()
    public_name = serializers.BooleanField(
        default=True, help_text=_("是否公开企业名称；不公开时公众只看到“匿名企业”。")
    )
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text=_("代表哪个机构发布（多机构成员）"),
    )


class DemandOutput(ModelSerializer):
    field_label = serializers.CharField(source="get_field_display")
    organization = serializers.SerializerMethodField(
        help_text="The company {id, name}; null for the public when it chose not to show its name."
    )
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    class Meta:
        model = Demand
        fields = (
            "id",
            "title",
            "description",
            "field",
            "field_label",
            "budget_min",
            "budget_max",
            "rights",
            "deadline",
            "public_name",
            "organization",
            "status",
            "published_at",
            "updated_at",
        )

    @extend_schema_field(OrgRef(allow_null=True))
    def get_organization(self, demand: Demand) -> dict[str, Any] | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not selectors.can_see_demand_owner(user, demand):
            return None
        return {"id": demand.organization_id, "name": demand.organization.name}


class DemandReviewInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=REVIEW.api_choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MatchOutput(serializers.Serializer):
    achievement = serializers.IntegerField()
    listing = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(help_text="0-100: text 50, field 20, rights 10, budget 10, maturity 10")
    reasons = serializers.ListField(child=serializers.CharField())
    title = serializers.CharField()
    holder = serializers.CharField()


class MatchingDemandOutput(serializers.Serializer):
    demand = DemandOutput()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class ResponseInput(StrictSerializer):
    achievement = serializers.IntegerField(min_value=1)
    listing = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ResponseOutput(ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title")
    holder = OrgRef(source="organization")

    class Meta:
        model = DemandResponse
        fields = (
            "id",
            "demand",
            "achievement",
            "achievement_title",
            "listing",
            "holder",
            "message",
            "status",
            "feedback_reason",
            "feedback_comment",
            "feedback_at",
            "offer_id",
            "listing_requested",
            "created_at",
        )


class FeedbackInput(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[("interested", "interested"), ("not_interested", "not_interested")]
    )
    reason = serializers.ChoiceField(choices=FeedbackReason.choices)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    amount = params.MoneyField(
        required=False,
        allow_null=True,
        default=None,
        help_text="With `interested` on a negotiated listing: the opening offer (an offer is made at once).",
    )


def _visible_demand(request: Request, pk: int) -> Demand:
    return found(selectors.demands_visible_to(request.user).filter(pk=pk).first())


@extend_schema(
    tags=TAGS,
    summary="技术需求（供需荟）",
    parameters=[
        OpenApiParameter("field", OpenApiTypes.STR, enum=list(Field.values)),
        OpenApiParameter(
            "q", OpenApiTypes.STR, description="Chinese full text, segmented as the catalogue's."
        ),
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description="Exclusive; also returns demands closed since.",
        ),
    ],
    description="Published demands, anyone. Cursor pages in sync order (`core.sync`, as the catalogue): "
    "by the writing transaction then `id`; with `updated_since` (the `updated_at` of the last demand "
    "you stored) also the demands closed since, with their `status`. `organization` is null when the "
    "company chose not to show its name (`public_name: false`) unless you are its member or an operator.",
)
class DemandListView(ListAPIView):
    serializer_class = DemandOutput
    pagination_class = SyncCursorPage

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    def get_queryset(self):
        query = self.request.query_params
        field = query.get("field") or None
        if field is not None and field not in Field.values:
            raise serializers.ValidationError({"field": [_("无效的选项。")]})
        return selectors.demand_catalogue(
            field=field, q=query.get("q") or None, updated_since=params.query_datetime(query, "updated_since")
        )

    @extend_schema(
        tags=TAGS,
        summary="发布技术需求",
        request=DemandInput,
        responses={201: DemandOutput},
        description="A verified company's member (admin or member role) posts a demand -> 201, status "
        "`pending_review`; operators review it with `POST /api/v1/demands/{id}/review/`. 403 "
        "`not_a_company` for a university or institute; 400 `invalid_demand` with `fields`.",
    )
    def post(self, request: Request) -> Response:
        data = parse(DemandInput, request.data)
        demand = services.demand_create(actor=request.user, **data)
        return Response(
            DemandOutput(demand, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class DemandDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        responses=DemandOutput,
        summary="技术需求详情",
        description="Published demands for anyone; the company's own in any status; operators all.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DemandOutput(_visible_demand(request, pk), context={"request": request}).data)


class DemandReviewView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAGS,
        request=DemandReviewInput,
        responses=DemandOutput,
        summary="审核技术需求",
        description="`approve` publishes; `reject` needs a `reason` the company sees. 409 "
        "`invalid_status_transition` when not pending review.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(DemandReviewInput, request.data)
        demand = found(Demand.objects.filter(pk=pk).first())
        demand = services.demand_review(demand=demand, actor=request.user, **data)
        return Response(DemandOutput(demand, context={"request": request}).data)


class DemandCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        request=None,
        responses=DemandOutput,
        summary="关闭技术需求",
        description="The company (or an operator) closes its demand; it leaves the catalogue.",
    )
    def post(self, request: Request, pk: int) -> Response:
        demand = _visible_demand(request, pk)
        demand = services.demand_close(demand=demand, actor=request.user)
        return Response(DemandOutput(demand, context={"request": request}).data)


class DemandMatchesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="需求匹配的成果",
        responses=MatchOutput(many=True),
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description="At most 50; default 20.")],
        description="The demand's company and operators: achievements (and their published listing, "
        "if any) ranked by `score` (0-100: Chinese text similarity 50, field 20, rights 10, budget "
        "against the listed price 10, maturity 10), each with its `reasons`. Others: 404 if they "
        "cannot see the demand, else 403 `not_demand_company`.",
    )
    def get(self, request: Request, pk: int) -> Response:
        demand = _visible_demand(request, pk)
        if not (is_operator(request.user) or selectors.is_demand_company(request.user, demand)):
            raise Forbidden("not_demand_company", _("只有发布需求的企业和平台运营人员可以查看匹配结果。"))
        limit = params.query_int(request.query_params, "limit", default=20, high=50)
        matches = demand_matches(demand=demand, limit=limit or 20)
        return Response(MatchOutput(matches, many=True).data)


class AchievementMatchingDemandsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="与成果匹配的需求",
        responses=MatchingDemandOutput(many=True),
        description="The holder's members (and operators): published demands that match this "
        "achievement, best first, with the reasons; the company's name as the demand shows it.",
    )
    def get(self, request: Request, pk: int) -> Response:
        achievement = found(Achievement.objects.filter(pk=pk).first())
        if not (is_operator(request.user) or achievement.holder_id in member_organization_ids(request.user)):
            raise Forbidden("not_holder_member", _("只有成果持有单位的成员可以查看匹配的需求。"))
        achievement_index_refresh(achievement_ids=[pk])
        rows = achievement_matching_demands(achievement_id=pk)
        body = [
            {"demand": DemandOutput(d, context={"request": request}).data, "score": score, "reasons": reasons}
            for d, score, reasons in rows
        ]
        return Response(body)


class DemandResponsesView(ListAPIView):
    serializer_class = ResponseOutput
    pagination_class = CursorPage
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="需求的响应",
        description="The demand's company and operators: every response; a holder's members: their own.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        demand = _visible_demand(self.request, self.kwargs["pk"])
        return selectors.responses_visible_to(self.request.user).filter(demand=demand)

    @extend_schema(
        tags=TAGS,
        summary="响应需求",
        request=ResponseInput,
        responses={201: ResponseOutput},
        description="A holder's member answers a published demand with one of its achievements and, "
        "optionally, its published listing, and a message -> 201. 409 `demand_not_published`, "
        "`already_responded`, `listing_not_published`; 422 `own_demand`, `achievement_transferred`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(ResponseInput, request.data)
        demand = _visible_demand(request, pk)
        achievement = Achievement.objects.filter(pk=data["achievement"]).first()
        if achievement is None:
            raise NotFound("not_found", _("成果不存在。"), fields={"achievement": [_("成果不存在。")]})
        listing = None
        if data["listing"] is not None:
            listing = listings_visible_to(request.user).filter(pk=data["listing"]).first()
            if listing is None or not isinstance(listing, Listing):
                raise NotFound("not_found", _("挂牌不存在。"), fields={"listing": [_("挂牌不存在。")]})
        response = services.response_create(
            demand=demand,
            actor=request.user,
            achievement=achievement,
            listing=listing,
            message=data["message"],
        )
        return Response(ResponseOutput(response).data, status=status.HTTP_201_CREATED)


class MyResponsesView(ListAPIView):
    serializer_class = ResponseOutput
    pagination_class = CursorPage
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="我的需求响应",
        description="Responses made by, or to demands of, the caller's organizations, with the feedback.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.responses_visible_to(self.request.user)


class FeedbackView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="对响应的反馈",
        request=FeedbackInput,
        responses=ResponseOutput,
        description="The demand's company: `interested` or `not_interested` with a `reason` (`price`, "
        "`maturity`, `field_fit`, `rights`, `timing`, `other`) and a comment the holder sees. "
        "`interested` opens a negotiation: with `amount` on a published negotiated listing an offer is "
        "made at once (`offer_id`); without a published listing the holder is asked to list it "
        "(`listing_requested`). 409 `already_answered`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(FeedbackInput, request.data)
        response = found(selectors.responses_visible_to(request.user).filter(pk=pk).first())
        response = services.response_feedback(response=response, actor=request.user, **data)
        return Response(ResponseOutput(response).data)


urlpatterns = [
    path("demands/", DemandListView.as_view(), name="demand-list"),
    path("demands/<int:pk>/", DemandDetailView.as_view(), name="demand-detail"),
    path("demands/<int:pk>/review/", DemandReviewView.as_view(), name="demand-review"),
    path("demands/<int:pk>/close/", DemandCloseView.as_view(), name="demand-close"),
    path("demands/<int:pk>/matches/", DemandMatchesView.as_view(), name="demand-matches"),
    path("demands/<int:pk>/responses/", DemandResponsesView.as_view(), name="demand-responses"),
    path("demand-responses/", MyResponsesView.as_view(), name="demand-response-list"),
    path("demand-responses/<int:pk>/feedback/", FeedbackView.as_view(), name="demand-response-feedback"),
    path(
        "achievements/<int:pk>/matching-demands/",
        AchievementMatchingDemandsView.as_view(),
        name="achievement-matching-demands",
    ),
]
