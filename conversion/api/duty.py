"""The use-first list and the conversion duty over HTTP (API.md, "Marketplace": ``/use-first/``).

Applications to use first, agreements and the reports: ``conversion/api/agreements.py``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
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
from core import params
from core.pagination import CursorPage, SyncCursorPage
from core.serializers import ModelSerializer
from listings.models import Achievement

from .. import rules, services
from ..models import Justification, SelfImplementation, UseFirstEntry
from ..rules import free_license_date
from ..selectors import duty as selectors

TAG = ["use-first"]


# --- serializers -------------------------------------------------------------------------------------


class UseFirstEntryOutput(ModelSerializer):
    achievement_title = serializers.CharField(source="achievement.title", read_only=True)
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    free_license_date = serializers.SerializerMethodField(
        help_text="首日可许可无偿实施的日期：最早授权日满3年的次日（2月29日授权者以2月28日为满年之日）。"
    )

    class Meta:
        model = UseFirstEntry
        fields = [
            "id",
            "achievement",
            "achievement_title",
            "holder",
            "holder_name",
            "listed_on",
            "reason",
            "origin",
            "free_license_eligible",
            "free_license_eligible_on",
            "free_license_date",
            "listing",
            "closed_on",
            "close_cause",
            "close_reason",
            "updated_at",
        ]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_free_license_date(self, entry: UseFirstEntry) -> str | None:
        day = free_license_date(entry.achievement.first_granted_on)
        return day.isoformat() if day else None


class DutyAttachment(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500)


class JustificationInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    valid_until = params.DateField(help_text="申请暂停转化义务至该日（含）。")
    attachments = DutyAttachment(many=True, required=False, default=list)


class DutyDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    reason = serializers.CharField(max_length=5000, help_text="审核意见，认可与不认可均须填写并存档。")


class JustificationOutput(ModelSerializer):
    class Meta:
        model = Justification
        fields = [
            "id",
            "achievement",
            "reason",
            "attachments",
            "valid_until",
            "status",
            "filed_by",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]


class SelfImplementationInput(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    started_on = params.DateField()
    attachments = DutyAttachment(many=True, required=False, default=list)


class SelfImplementationOutput(ModelSerializer):
    class Meta:
        model = SelfImplementation
        fields = [
            "id",
            "achievement",
            "description",
            "started_on",
            "attachments",
            "status",
            "declared_by",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]


class UseFirstVolunteerInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class AchievementRegistrationInput(serializers.Serializer):
    registration_no = serializers.CharField(max_length=64)
    registered_on = params.DateField()


class RegistrationOverdueOutput(ModelSerializer):
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    due_on = serializers.SerializerMethodField()

    class Meta:
        model = Achievement
        fields = [
            "id",
            "title",
            "holder",
            "holder_name",
            "funding_project_no",
            "funding_project_ended_on",
            "due_on",
        ]

    def get_due_on(self, achievement: Achievement) -> str:
        assert achievement.funding_project_ended_on is not None
        return rules.registration_due_on(achievement.funding_project_ended_on).isoformat()


def _bool(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise serializers.ValidationError({"free_license_eligible": [_("应为 true 或 false。")]})


# --- views -------------------------------------------------------------------------------------------


@extend_schema(
    tags=TAG,
    summary="先用后转实施清单",
    description=(
        "The public use-first list (API.md): anyone, including read-only API tokens. "
        "`{achievement, holder, listed_on, reason, free_license_eligible, listing}` plus the entry's "
        "`id` (for applications), names, `origin` (`overdue`: the daily job listed it; `voluntary`: "
        "the holder did), and for closed entries `closed_on`, `close_cause` (`converted` or "
        "`justified`) and `close_reason`. Default: active entries; `status=closed` gives the history, "
        "`status=all` both. Cursor pages in sync order: by the id of the transaction that last wrote "
        "each entry, then `id`, holding only entries whose transaction is older than the oldest one "
        "still running (the watermark, read by the first page and carried by `next`), so what a page "
        "returns is final. `updated_since` (exclusive) returns what changed after it (listed, marked "
        "free-license eligible, or closed): pass the `updated_at` (the writing transaction's stamp) of "
        "the last entry seen at the end of a pass and the sync resumes right after that entry's "
        "transaction, never missing or repeating a change; any other moment returns every entry "
        "written by a transaction stamped at or after it. With `updated_since` and no `status` the "
        "default is `all`, so a syncing client also learns which entries closed.\n\n"
        "The clock: an applied achievement of a university, institute, hospital or state-owned "
        "enterprise is listed the day after its conversion deadline, the second anniversary of its "
        "earliest grant (a 29 February grant's anniversary in a common year is 28 February, per "
        "民法典 第二百零二条), unless converted or covered by an accepted justification; it becomes "
        "free-license eligible the day after the third anniversary. The platform opens one public "
        "`use_first` listing per entry: mode `negotiated`, asking price the holder's valuation of the "
        "achievement (none when it gave none), the platform's notice period "
        "(`FISCAL_NOTICE_DAYS_MIN`, 15 days); when the achievement already has an active listing "
        "no second one is opened (`listing` is that use-first listing, or null)."
    ),
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=list(selectors.ENTRY_STATES)),
        OpenApiParameter("holder", OpenApiTypes.INT),
        OpenApiParameter("achievement", OpenApiTypes.INT),
        OpenApiParameter("free_license_eligible", OpenApiTypes.BOOL),
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description="Exclusive. The `updated_at` of the last entry you stored: resume right after "
            "its transaction (never misses or repeats a change). Another moment: every entry written "
            "by a transaction stamped at or after it.",
        ),
    ],
)
class UseFirstListView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = UseFirstEntryOutput
    pagination_class = SyncCursorPage

    def get_queryset(self):
        query = self.request.query_params
        state = query.get("status") or ("all" if query.get("updated_since") else "active")
        if state not in selectors.ENTRY_STATES:
            raise serializers.ValidationError({"status": [_("应为 active、closed 或 all。")]})
        return selectors.use_first_entries(
            state=state,
            holder=params.query_int(query, "holder"),
            achievement=params.query_int(query, "achievement"),
            free_license_eligible=_bool(query.get("free_license_eligible")),
            updated_since=params.query_datetime(query, "updated_since"),
        )


class UseFirstEntryDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAG, responses=UseFirstEntryOutput, summary="先用后转清单条目")
    def get(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(selectors.use_first_entries(state="all"), pk=pk)
        return Response(UseFirstEntryOutput(entry).data)


class VolunteerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=UseFirstVolunteerInput,
        responses={201: UseFirstEntryOutput},
        summary="主动纳入先用后转清单",
        description="A holder's member puts an achievement (typically a basic one) on the list "
        "itself; the platform opens its use-first listing at once. 409 `already_listed`, "
        "`already_converted`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = UseFirstVolunteerInput(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = get_object_or_404(Achievement, pk=pk)
        entry = services.use_first_volunteer(
            achievement=achievement, actor=request.user, **data.validated_data
        )
        return Response(UseFirstEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class JustificationFileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=JustificationInput,
        responses={201: JustificationOutput},
        summary="提交未转化的正当理由",
        description="A holder's member files a reason with references to its documents "
        "(`attachments: [{name, url}]`). Status `pending` until an operator decides; filing alone "
        "does not stop the clock. 409 `justification_pending` when one is already waiting.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = JustificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = get_object_or_404(Achievement, pk=pk)
        justification = services.justification_file(
            achievement=achievement, actor=request.user, **data.validated_data
        )
        return Response(JustificationOutput(justification).data, status=status.HTTP_201_CREATED)


class JustificationListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = JustificationOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAG,
        summary="正当理由",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(Justification.Status.values))],
        description="Operators: every justification (`status=pending` is their queue); "
        "a holder's members: their organization's.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.justifications_for(
            user=self.request.user, status=self.request.query_params.get("status")
        )


class JustificationDecideView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAG,
        request=DutyDecisionInput,
        responses=JustificationOutput,
        summary="审核正当理由",
        description="`accept`: the achievement leaves the duty through `valid_until` (inclusive): its "
        "open entry is closed at once (`close_cause = justified`, with the reason) and its use-first "
        "listing closed; the day after `valid_until` the clock runs again and the next daily run lists "
        "it anew if still overdue. `reject`: the clock runs on. A reason is required either way and is "
        "kept. 409 `already_decided`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = DutyDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        justification = get_object_or_404(Justification, pk=pk)
        decided = services.justification_decide(
            justification=justification, actor=request.user, **data.validated_data
        )
        return Response(JustificationOutput(decided).data)


class SelfImplementationDeclareView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=SelfImplementationInput,
        responses={201: SelfImplementationOutput},
        summary="自行实施声明",
        description="A holder's member declares the holder implements the achievement itself. "
        "Once an operator accepts it, the achievement is converted and leaves the use-first list.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = SelfImplementationInput(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = get_object_or_404(Achievement, pk=pk)
        declaration = services.self_implementation_declare(
            achievement=achievement, actor=request.user, **data.validated_data
        )
        return Response(SelfImplementationOutput(declaration).data, status=status.HTTP_201_CREATED)


class SelfImplementationListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SelfImplementationOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAG,
        summary="自行实施声明",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(SelfImplementation.Status.values))
        ],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.self_implementations_for(
            user=self.request.user, status=self.request.query_params.get("status")
        )


class SelfImplementationDecideView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=TAG,
        request=DutyDecisionInput,
        responses=SelfImplementationOutput,
        summary="审核自行实施声明",
        description="`accept` converts the achievement and takes it off the list; a reason is kept either way.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = DutyDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        declaration = get_object_or_404(SelfImplementation, pk=pk)
        decided = services.self_implementation_decide(
            declaration=declaration, actor=request.user, **data.validated_data
        )
        return Response(SelfImplementationOutput(decided).data)


class RegistrationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        request=AchievementRegistrationInput,
        responses={201: AchievementRegistrationInput},
        summary="记录成果登记",
        description="The holder records the achievement's registration in the 科技成果登记系统. "
        "Fiscally funded achievements are due within `REGISTRATION_DUE_DAYS` (30) days of their "
        "project's end.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = AchievementRegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = get_object_or_404(Achievement, pk=pk)
        registration = services.achievement_registration_record(
            achievement=achievement, actor=request.user, **data.validated_data
        )
        return Response(
            {"registration_no": registration.registration_no, "registered_on": registration.registered_on},
            status=status.HTTP_201_CREATED,
        )


class RegistrationOverdueView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RegistrationOverdueOutput
    pagination_class = CursorPage

    @extend_schema(
        tags=TAG,
        summary="逾期未登记的科技成果",
        description="Fiscally funded achievements not registered more than 30 days after their project "
        "ended. Operators see all; a holder's members their organization's.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.registration_overdue_for(user=self.request.user)


urlpatterns = [
    path("use-first/", UseFirstListView.as_view(), name="use-first-list"),
    path("use-first/<int:pk>/", UseFirstEntryDetailView.as_view(), name="use-first-detail"),
    path("achievements/<int:pk>/use-first/", VolunteerView.as_view(), name="use-first-volunteer"),
    path("achievements/<int:pk>/justifications/", JustificationFileView.as_view(), name="justification-file"),
    path("justifications/", JustificationListView.as_view(), name="justification-list"),
    path("justifications/<int:pk>/decide/", JustificationDecideView.as_view(), name="justification-decide"),
    path(
        "achievements/<int:pk>/self-implementation/",
        SelfImplementationDeclareView.as_view(),
        name="self-implementation-declare",
    ),
    path("self-implementations/", SelfImplementationListView.as_view(), name="self-implementation-list"),
    path(
        "self-implementations/<int:pk>/decide/",
        SelfImplementationDecideView.as_view(),
        name="self-implementation-decide",
    ),
    path("achievements/<int:pk>/registration/", RegistrationView.as_view(), name="registration-record"),
    path("registrations/overdue/", RegistrationOverdueView.as_view(), name="registration-overdue"),
]
