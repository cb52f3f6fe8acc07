"""资料室 (data rooms): the holder's documents on a listing behind its NDA; access, links, the log."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import client_address
from core.decisions import REVIEW
from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema
from core.serializers import ModelSerializer
from listings.models import Listing
from listings.selectors import listing_get_visible

from .. import selectors
from ..models import DataRoom, DataRoomAccess, DataRoomEvent, DataRoomFile
from ..services import data_room as room_services

TAGS = ["data rooms"]


def _listing(request: Request, pk: int) -> Listing:
    listing = listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    return listing


def _room(listing: Listing) -> DataRoom:
    room = DataRoom.objects.filter(listing=listing).first()
    if room is None:
        raise Http404
    return room


class FileOutput(ModelSerializer):
    class Meta:
        model = DataRoomFile
        fields = ["id", "name", "kind", "size", "sha256", "created_at"]


class LinkedFileOutput(serializers.Serializer):
    id = serializers.IntegerField(source="file.pk")
    name = serializers.CharField(source="file.name")
    kind = serializers.CharField(source="file.kind")
    size = serializers.IntegerField(source="file.size")
    created_at = serializers.DateTimeField(source="file.created_at")
    url = serializers.SerializerMethodField(help_text="A signed link, good until `expires_at`.")
    expires_at = serializers.DateTimeField()

    def get_url(self, obj: room_services.Link) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("marketplace:data_room_file", args=[obj.token])
        )


class AccessOutput(ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")

    class Meta:
        model = DataRoomAccess
        fields = [
            "id",
            "organization",
            "organization_name",
            "status",
            "nda_version",
            "nda_accepted_by",
            "nda_accepted_at",
            "nda_accepted_from",
        ]


class DataRoomOutput(serializers.Serializer):
    listing = serializers.IntegerField(source="room.listing_id")
    nda_version = serializers.IntegerField(source="room.nda_version")
    nda_text = serializers.CharField(source="room.nda_text")
    requires_approval = serializers.BooleanField(source="room.requires_approval")
    file_count = serializers.SerializerMethodField()
    access = AccessOutput(allow_null=True, help_text="The caller's organization's access (companies).")
    files = LinkedFileOutput(many=True, source="links", help_text="Empty without access.")

    def get_file_count(self, obj: room_services.Opened) -> int:
        return obj.room.files.count()


class DataRoomView(APIView):
    permission_classes = [IsAuthenticated]

    class DataRoomInput(serializers.Serializer):
        nda_text = serializers.CharField(max_length=20000)
        requires_approval = serializers.BooleanField()

    @extend_schema(
        responses=DataRoomOutput,
        tags=TAGS,
        description="The listing's data room: its NDA (text and version), the caller's access and, for the "
        "holder's members and companies with access, the files with signed links that expire after "
        "`DATA_ROOM_LINK_SECONDS` (300). A company's look is logged. 404 when the listing has no room.",
    )
    def get(self, request: Request, pk: int) -> Response:
        opened = room_services.data_room_open(
            listing=_listing(request, pk), user=request.user, address=client_address(request)
        )
        if opened is None:
            raise Http404
        return Response(DataRoomOutput(opened, context={"request": request}).data)

    @extend_schema(
        request=DataRoomInput,
        responses=DataRoomOutput,
        tags=TAGS,
        description="A member of the holder words the NDA (a changed text is a new `nda_version`) and says "
        "whether each request waits for its approval. Makes the room if there is none.",
    )
    def put(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        data = self.DataRoomInput(data=request.data)
        data.is_valid(raise_exception=True)
        room_services.data_room_set(listing=listing, actor=request.user, **data.validated_data)
        opened = room_services.data_room_open(listing=listing, user=request.user, address=None)
        return Response(DataRoomOutput(opened, context={"request": request}).data)


class DataRoomFilesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    class DataRoomFilesInput(serializers.Serializer):
        file = serializers.FileField(help_text="PDF, Word, Excel, PowerPoint or an image; at most 50 MB.")

    @extend_schema(
        request={"multipart/form-data": DataRoomFilesInput},
        responses={201: FileOutput},
        tags=TAGS,
        description="A member of the holder uploads a document (multipart). Its kind is read from its "
        "content: 400 `invalid_file` for another kind, an empty or too large file. Makes the room with "
        "the platform's NDA text if there is none. 409 `listing_not_open`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        file = room_services.data_room_file_add(
            listing=listing, actor=request.user, upload=request.FILES.get("file")
        )
        return Response(FileOutput(file).data, status=status.HTTP_201_CREATED)


class DataRoomAccessView(APIView):
    permission_classes = [IsAuthenticated]

    class DataRoomAccessInput(serializers.Serializer):
        nda_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
        accept = serializers.BooleanField()
        organization = serializers.IntegerField(
            required=False, help_text="The company, when the caller belongs to several."
        )

    @extend_schema(
        parameters=[CURSOR_PARAMETER],
        responses=cursor_page_schema(AccessOutput, "DataRoomAccessPage"),
        tags=TAGS,
        description="The holder's members and operators: every organization's access, newest first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        if not selectors.data_room_readable_by_holder(request.user, listing):
            raise Http404
        paginator = CursorPage()
        paginator.ordering = ("-id",)
        page = paginator.paginate_queryset(selectors.data_room_accesses(_room(listing)), request, view=self)
        return paginator.get_paginated_response(AccessOutput(page, many=True).data)

    @extend_schema(
        request=DataRoomAccessInput,
        responses={201: AccessOutput},
        tags=TAGS,
        description="A verified company's member accepts the NDA of `nda_version` (its version, the moment, "
        "the person and the address are recorded): `status` is `granted`, or `requested` where the holder "
        "approves each request. 400 `nda_not_accepted`; 409 `nda_version_stale`, `access_refused`; 403 "
        "`related_party`, `organization_not_verified`; 404 `no_data_room`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        data = self.DataRoomAccessInput(data=request.data)
        data.is_valid(raise_exception=True)
        access = room_services.data_room_access_request(
            listing=listing, actor=request.user, address=client_address(request), **data.validated_data
        )
        return Response(AccessOutput(access).data, status=status.HTTP_201_CREATED)


def _access(request: Request, pk: int) -> DataRoomAccess:
    access = DataRoomAccess.objects.select_related("room__listing__achievement").filter(pk=pk).first()
    if access is None or listing_get_visible(user=request.user, listing_id=access.room.listing_id) is None:
        raise Http404
    return access


class DataRoomAccessDecideView(APIView):
    permission_classes = [IsAuthenticated]

    class DataRoomAccessDecideInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=REVIEW.api_choices)
        reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=DataRoomAccessDecideInput,
        responses=AccessOutput,
        tags=TAGS,
        description="A member of the holder approves (`granted`; also reopens a rejected or revoked access) "
        "or rejects (with a reason) a request. 409 `invalid_status_transition`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        access = _access(request, pk)
        data = self.DataRoomAccessDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        access = room_services.data_room_access_decide(
            access=access, actor=request.user, **data.validated_data
        )
        return Response(AccessOutput(access).data)


class DataRoomAccessRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    class DataRoomAccessRevokeInput(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        request=DataRoomAccessRevokeInput,
        responses=AccessOutput,
        tags=TAGS,
        description="A member of the holder ends an access at once: links handed out before are refused "
        "(403 `access_revoked`) when next used.",
    )
    def post(self, request: Request, pk: int) -> Response:
        access = _access(request, pk)
        data = self.DataRoomAccessRevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        access = room_services.data_room_access_revoke(
            access=access, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(AccessOutput(access).data)


class EventOutput(ModelSerializer):
    username = serializers.CharField(source="user.username")
    organization = serializers.IntegerField(source="access.organization_id")
    organization_name = serializers.CharField(source="access.organization.name")
    file_name = serializers.SerializerMethodField()

    class Meta:
        model = DataRoomEvent
        fields = [
            "id",
            "created_at",
            "action",
            "user",
            "username",
            "organization",
            "organization_name",
            "file",
            "file_name",
            "address",
        ]

    def get_file_name(self, obj: DataRoomEvent) -> str | None:
        return obj.file.name if obj.file_id else None


class DataRoomLogView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR_PARAMETER],
        responses=cursor_page_schema(EventOutput, "DataRoomEventPage"),
        tags=TAGS,
        description="The holder's members and operators: who saw what, newest first (`view`: the file list "
        "with its links; `download`: a file fetched through its link).",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        if not selectors.data_room_readable_by_holder(request.user, listing):
            raise Http404
        paginator = CursorPage()
        paginator.ordering = ("-id",)
        page: Any = paginator.paginate_queryset(selectors.data_room_log(_room(listing)), request, view=self)
        return paginator.get_paginated_response(EventOutput(page, many=True).data)
