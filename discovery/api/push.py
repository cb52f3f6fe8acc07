"""Subscriptions (信息推送) and periodic publications over HTTP: API.md "Discovery (1.1)"."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import CursorPage
from core.serializers import ModelSerializer, StrictSerializer
from listings.models import Field, Listing, Rights
from marketplace.api.views import CSVRenderer

from ..models import Publication, Subscription
from ..selectors.publications import publications_list
from ..services import push as services
from .common import TAGS, found, parse


class SubscriptionInput(StrictSerializer):
    target = serializers.ChoiceField(choices=Subscription.Target.choices)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    field = serializers.ChoiceField(choices=Field.choices, required=False, allow_blank=True, default="")
    mode = serializers.ChoiceField(choices=Listing.Mode.choices, required=False, allow_blank=True, default="")
    rights = serializers.ChoiceField(choices=Rights.choices, required=False, allow_blank=True, default="")
    email = serializers.BooleanField(default=True)


class SubscriptionOutput(ModelSerializer):
    class Meta:
        model = Subscription
        fields = ("id", "target", "q", "field", "mode", "rights", "email", "last_sent_at", "created_at")


class SubscriptionsView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SubscriptionOutput
    pagination_class = CursorPage

    @extend_schema(tags=TAGS, summary="我的订阅")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Subscription.objects.filter(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        summary="订阅（保存的搜索）",
        request=SubscriptionInput,
        responses={201: SubscriptionOutput},
        description="A signed-in user subscribes to a query with filters over the catalogue "
        "(`listings`) or the demands (`demands`; no `mode`). New matching items reach them in-app "
        "and, with `email`, by e-mail, batched, at most once a day per subscription.",
    )
    def post(self, request: Request) -> Response:
        data = parse(SubscriptionInput, request.data)
        sub = services.subscription_create(user=request.user, **data)
        return Response(SubscriptionOutput(sub).data, status=status.HTTP_201_CREATED)


class SubscriptionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, summary="订阅详情", responses=SubscriptionOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            SubscriptionOutput(found(Subscription.objects.filter(pk=pk, user=request.user).first())).data
        )

    @extend_schema(tags=TAGS, summary="取消订阅", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        sub = found(Subscription.objects.filter(pk=pk, user=request.user).first())
        services.subscription_delete(user=request.user, subscription=sub)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicationOutput(ModelSerializer):
    class Meta:
        model = Publication
        fields = ("id", "period", "starts_on", "ends_on", "published_at")


class PublicationDetailOutput(PublicationOutput):
    class Meta(PublicationOutput.Meta):
        fields = (*PublicationOutput.Meta.fields, "figures")


class PublicationsView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = PublicationOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAGS,
        summary="定期发布（成果月报、季度发布、年度榜单）",
        description="Published periodic reports, newest first; `period` is `month`, `quarter` or `year`.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return publications_list()


def _csv(publication: Publication) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    f = publication.figures
    writer.writerow(
        ["周期", publication.get_period_display(), str(publication.starts_on), str(publication.ends_on)]
    )
    writer.writerow(["新增挂牌", f["listings_published"], "成交", f["deals"], "成交额（元）", f["amount"]])
    writer.writerow([])
    writer.writerow(["技术领域", "新增挂牌", "成交数", "成交额（元）"])
    for row in f["by_field"]:
        writer.writerow([row["label"], row["listings"], row["deals"], row["amount"]])
    writer.writerow([])
    writer.writerow(["交易方式", "成交数", "成交额（元）"])
    for row in f["by_mode"]:
        writer.writerow([row["label"], row["deals"], row["amount"]])
    writer.writerow([])
    writer.writerow(["转让方", "成交数", "成交额（元）"])
    for row in f["by_institution"]:
        writer.writerow([row["seller"], row["deals"], row["amount"]])
    writer.writerow([])
    writer.writerow(["成果", "转让方", "成交价（元）"])
    for row in f["top_results"]:
        writer.writerow([row["title"], row["seller"], row["price"]])
    return "\ufeff" + out.getvalue()


class PublicationView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        tags=TAGS,
        summary="定期发布的数据",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        responses={
            200: PublicationDetailOutput,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="`format=csv`"),
        },
        description="The figures as published (they never change): listings published, deals and amount "
        "by field, mode and institution, the conversion rate (deals per listing published), the top results.",
    )
    def get(self, request: Request, pk: int) -> Response | HttpResponse:
        publication = found(Publication.objects.filter(pk=pk).first())
        if request.query_params.get("format") == "csv":
            response = HttpResponse(_csv(publication), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="publication-{publication.pk}.csv"'
            return response
        return Response(PublicationDetailOutput(publication).data)


urlpatterns = [
    path("subscriptions/", SubscriptionsView.as_view(), name="subscription-list"),
    path("subscriptions/<int:pk>/", SubscriptionView.as_view(), name="subscription-detail"),
    path("publications/", PublicationsView.as_view(), name="publication-list"),
    path("publications/<int:pk>/", PublicationView.as_view(), name="publication-detail"),
]
