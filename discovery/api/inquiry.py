"""Online inquiry (在线询价) over HTTP: API.md "Discovery (1.1)"."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import CursorPage
from core.serializers import ModelSerializer, StrictSerializer
from listings.selectors import listing_get_visible

from ..models import Question
from ..selectors import inquiry as selectors
from ..services import inquiry as services
from .common import TAGS, found, parse


class QuestionInput(StrictSerializer):
    body = serializers.CharField(max_length=2000)
    private = serializers.BooleanField(default=False, help_text=_("仅持有单位可见"))
    kind = serializers.ChoiceField(choices=Question.Kind.choices, default=Question.Kind.QUESTION)
    organization = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class AnswerInput(StrictSerializer):
    body = serializers.CharField(max_length=5000)


class QuestionOutput(ModelSerializer):
    asker = serializers.SerializerMethodField(help_text="The asking company's name.")

    class Meta:
        model = Question
        fields = (
            "id",
            "listing",
            "kind",
            "body",
            "private",
            "status",
            "answer",
            "answered_at",
            "answer_due_at",
            "asker",
            "created_at",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_asker(self, question: Question) -> str | None:
        return question.organization.name


class ListingQuestionsView(ListAPIView):
    serializer_class = QuestionOutput
    pagination_class = CursorPage

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        tags=TAGS,
        summary="挂牌的提问与询价",
        description="The public questions of a listing, with their answers; also the caller's own "
        "(its organization's) private ones, and, for the holder's members and operators, every one.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        listing = found(listing_get_visible(user=self.request.user, listing_id=self.kwargs["pk"]))
        return selectors.questions_visible_to(self.request.user).filter(listing=listing)

    @extend_schema(
        tags=TAGS,
        summary="提问或询价",
        request=QuestionInput,
        responses={201: QuestionOutput},
        description="A verified company's member asks on a published listing (`kind`: `question` or "
        "`price` for a price indication), public or `private` to the holder -> 201. The holder answers "
        "within 5 working days (`answer_due_at`, the market's calendar) or the question shows on the "
        "operators' console and counts against its responsiveness. 403 `not_a_company`, "
        "`related_party`; 409 `listing_not_published`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(QuestionInput, request.data)
        listing = found(listing_get_visible(user=request.user, listing_id=pk))
        question = services.question_ask(listing=listing, actor=request.user, **data)
        return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)


class AnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="回答提问",
        request=AnswerInput,
        responses=QuestionOutput,
        description="A holder's member answers once; a public question's answer shows on the listing. "
        "409 `already_answered`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = parse(AnswerInput, request.data)
        question = found(selectors.questions_visible_to(request.user).filter(pk=pk).first())
        question = services.question_answer(question=question, actor=request.user, body=data["body"])
        return Response(QuestionOutput(question).data)


urlpatterns = [
    path("listings/<int:pk>/questions/", ListingQuestionsView.as_view(), name="listing-questions"),
    path("questions/<int:pk>/answer/", AnswerView.as_view(), name="question-answer"),
]
