"""REST adapters of the inventors' pre-emption (API.md, "Fair trades (1.1)")."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from core.money import money_format
from listings.models import Achievement, Listing

from ..models import Preemption, PreemptionClaim
from ..services import preemption_claim, preemption_record

TAGS = ["fair trades"]


class DocumentOut(serializers.Serializer):
    name = serializers.CharField(help_text="The uploaded file's name.")
    kind = serializers.CharField(help_text="Its kind as read from its content: pdf, png, jpeg or webp.")
    size = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="Computed by the server from the stored bytes.")
    url = serializers.CharField(help_text="Where the holder's members and operators open it (signed in).")


class PreemptionIn(serializers.Serializer):
    inventor = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The inventor's id (from the achievement's `inventors`)."
    )
    waived = serializers.BooleanField(required=False, default=False)
    document = serializers.FileField(
        required=False,
        allow_empty_file=True,  # core.files says why a file is refused, as for every upload
        help_text="The signed waiver (PDF or a scan: PNG, JPEG, WebP; at most 20 MB), required with "
        "`waived: true`. Its kind is read from its content.",
    )
    holder_organization = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The pre-emption holder: the inventor's own or designated organization (verified; "
        "the related-party rule applies to it as to any buyer).",
    )


class PreemptionOut(serializers.Serializer):
    id = serializers.IntegerField()
    achievement = serializers.IntegerField()
    inventor = serializers.IntegerField(allow_null=True)
    inventor_name = serializers.CharField()
    waived = serializers.BooleanField()
    document = DocumentOut(allow_null=True)
    holder_organization = serializers.IntegerField(allow_null=True)
    recorded_at = serializers.DateTimeField()


def _preemption(record: Preemption) -> dict[str, Any]:
    return {
        "id": record.pk,
        "achievement": record.achievement_id,
        "inventor": record.inventor_id,
        "inventor_name": record.inventor_name,
        "waived": record.waived,
        "document": {
            **record.document,
            "url": reverse("marketplace:preemption_document", args=[record.achievement_id, record.pk]),
        }
        if record.document
        else None,
        "holder_organization": record.holder_organization_id,
        "recorded_at": record.recorded_at.isoformat(),
    }


class PreemptionView(APIView):
    permission_classes = [IsAuthenticated]
    # multipart for a waiver (its file); JSON still records a pre-emption holder.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": PreemptionIn},
        responses={201: PreemptionOut},
        tags=TAGS,
        summary="Holder: record an inventor's pre-emption waiver or holder (Civil Code Art. 847)",
        description="Per inventor, multipart: `{inventor, waived: true, document: <file>}` or "
        "`{inventor, holder_organization}` (also as JSON). The server keeps the file and its name, kind, "
        "size and SHA-256. A new record supersedes the inventor's current one (kept on record). 422 "
        "`not_a_service_invention`, `organization_not_verified`; 400 `document_required`, `invalid_file` "
        "(another kind, empty or too large), `invalid_inventor`, `invalid_holder_organization`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = PreemptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = get_object_or_404(Achievement, pk=pk)
        v = data.validated_data
        if not v["waived"] and v.get("holder_organization") is None:
            raise InvalidInput(
                "invalid_holder_organization",
                "请指定优先受让权人或附放弃声明。",
                fields={"holder_organization": ["必填。"]},
            )
        record = preemption_record(
            achievement=achievement,
            actor=request.user,
            inventor=v["inventor"],
            waived=v["waived"],
            document=request.FILES.get("document") if v["waived"] else None,
            holder_organization=v.get("holder_organization"),
        )
        return Response(_preemption(record), status=status.HTTP_201_CREATED)


class ClaimIn(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, help_text="Which of the caller's organizations claims."
    )


class ClaimOut(serializers.Serializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField()
    organization = serializers.IntegerField()
    price = serializers.CharField()
    status = serializers.ChoiceField(choices=PreemptionClaim.Status.choices)
    notice = serializers.IntegerField(allow_null=True)


class PreemptionClaimView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ClaimIn,
        responses={201: ClaimOut},
        tags=TAGS,
        summary="Pre-emption holder: take a negotiated or fixed-price transfer at equal terms",
        description="Negotiated: at the noticed price while the public notice runs (the deal goes to the "
        "claimant when it ends). Fixed price: at the listed price before `listing_ends_at`. 409 "
        "`no_notice_open`, `listing_not_published`, `claim_exists`, `wrong_mode` (auctions: register "
        "with `preemptive: true`); 422 `not_a_preemption_holder`, `preemption_not_applicable`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ClaimIn(data=request.data)
        data.is_valid(raise_exception=True)
        listing = get_object_or_404(Listing, pk=pk)
        claim = preemption_claim(
            listing=listing, actor=request.user, organization=data.validated_data.get("organization")
        )
        body = {
            "id": claim.pk,
            "listing": claim.listing_id,
            "organization": claim.organization_id,
            "price": money_format(claim.price),
            "status": claim.status,
            "notice": claim.notice_id,
        }
        return Response(body, status=status.HTTP_201_CREATED)
