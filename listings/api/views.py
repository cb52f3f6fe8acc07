"""Listings API: parse, authorize, call one service or selector, render.

Objects a caller may not see are 404 (a draft of another organization does not exist for them);
objects they see but may not act on are 403 with the service's reason.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsOperator
from accounts.selectors import is_operator
from core.errors import Forbidden
from core.pagination import CURSOR_PARAMETER, CursorPage, cursor_page_schema
from core.schema import ByCaller

from .. import selectors, services
from ..models import Achievement, Listing
from .pagination import keyset_page
from .serializers import (
    AchievementHolderOutput,
    AchievementInput,
    AchievementOutput,
    AchievementUpdateInput,
    CatalogueQuery,
    ListingFullOutput,
    ListingHistoryOutput,
    ListingInput,
    ListingInternalDecisionInput,
    ListingOutput,
    ListingReviewInput,
    ListingTakeDownInput,
    ListingUpdateInput,
    ListingWithdrawInput,
)

TAGS = ["listings"]


def _parse(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _visible_listing(request: Request, pk: int) -> Listing:
    listing = selectors.listing_get_visible(user=request.user, listing_id=pk)
    if listing is None:
        raise Http404
    return listing


def _listing_body(request: Request, listing: Listing) -> dict[str, Any]:
    full = selectors.can_see_listing_in_full(request.user, listing)
    return (ListingFullOutput if full else ListingOutput)(listing).data


def _achievement_body(request: Request, achievement: Achievement) -> dict[str, Any]:
    full = is_operator(request.user) or selectors.is_holder_member(request.user, achievement)
    return (AchievementHolderOutput if full else AchievementOutput)(achievement).data


# Achievements ---------------------------------------------------------------------------------


class AchievementCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AchievementInput,
        responses={201: AchievementHolderOutput},
        tags=TAGS,
        description=(
            "A holder member (admin or member role) records an achievement of a verified organization. "
            "A wrong patent number is 400 `invalid_patent_no`; a number already recorded elsewhere 409 "
            "`patent_already_registered`."
        ),
    )
    def post(self, request: Request) -> Response:
        data = _parse(AchievementInput, request.data)
        achievement = services.achievement_create(actor=request.user, **data)
        achievement = selectors.achievement_get(achievement_id=achievement.pk)
        return Response(_achievement_body(request, achievement), status=status.HTTP_201_CREATED)


class AchievementDetailView(APIView):
    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        responses=ByCaller("AchievementByCaller", public=AchievementOutput, full=AchievementHolderOutput),
        tags=TAGS,
        description="Anyone: the public record. The holder's members and operators also get "
        "`funding_project_no`, `funding_project_ended_on` and the inventors' shares. `free_license_date` "
        "and `use_first_duty` say where the achievement stands today with the conversion duty "
        "(obliged, deadline, converted, justified until, overdue = on the use-first list, free "
        "license due), as the daily use-first job decides it.",
    )
    def get(self, request: Request, pk: int) -> Response:
        achievement = selectors.achievement_get(achievement_id=pk)
        if achievement is None:
            raise Http404
        return Response(_achievement_body(request, achievement))

    @extend_schema(
        request=AchievementUpdateInput,
        responses=AchievementHolderOutput,
        tags=TAGS,
        description="A holder member edits; 409 `achievement_listed` while a listing of it is under "
        "review or published.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        achievement = selectors.achievement_get(achievement_id=pk)
        if achievement is None:
            raise Http404
        data = _parse(AchievementUpdateInput, request.data)
        services.achievement_update(achievement=achievement, actor=request.user, **data)
        achievement = selectors.achievement_get(achievement_id=pk)
        return Response(_achievement_body(request, achievement))


# Listings: the catalogue and the holder's writes ------------------------------------------------


class ListingsView(APIView):
    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[CatalogueQuery],
        operation_id="v1_listings_list",
        responses=cursor_page_schema(ListingOutput, "ListingPage"),
        tags=TAGS,
        description=(
            "The catalogue: published listings only. `q` is segmented (jieba) and every word must occur "
            "in the title, summary or holder name. `ordering`: `relevance` (default with `q`: the listings "
            "with every word in the title first, then the others, each newest first), `newest` "
            "(default), `ending` (soonest first; negotiated listings, which have no end, last). With "
            "`updated_since` (exclusive) the order is the sync order whatever `ordering` says, and the "
            "results ALSO include listings that were published and have left the catalogue since, with "
            "their `status` (`closed`, `withdrawn` or `taken_down`): remove those. The sync order is by "
            "the id of the transaction that last wrote each listing, then `id`, and a sync page holds "
            "only listings whose transaction is older than the oldest one still running (the watermark, "
            "read by the first page and carried by `next`): what it returns is final. `updated_at` is "
            "the writing transaction's stamp (shared by everything it wrote). Follow `next` to the end, "
            "keep the last `updated_at` seen and pass it as `updated_since`: the sync resumes right "
            "after that listing's transaction and never misses or repeats a change, however writes "
            "commit; any other moment returns every listing written by a transaction stamped at or "
            "after it. Cursor pages of `page_size` (default 20, at most 100). Never the reserve price."
        ),
    )
    def get(self, request: Request) -> Response:
        params = _parse(CatalogueQuery, request.query_params.dict())
        filters = selectors.CatalogueFilters(
            mode=params.get("mode"),
            field=params.get("field"),
            rights=params.get("rights"),
            q=params.get("q") or None,
            updated_since=params.get("updated_since"),
            ordering=params.get("ordering"),
        )
        order = selectors.catalogue_ordering(filters)
        rows, next_url = keyset_page(
            queryset=selectors.catalogue_list(filters=filters),
            order=order,
            keys=selectors.ORDER_KEYS[order],
            request=request,
            cursor=params.get("cursor"),
            page_size=params.get("page_size", 20),
            tiers=selectors.catalogue_tiers(filters=filters),
        )
        return Response({"results": ListingOutput(rows, many=True).data, "next": next_url})

    @extend_schema(
        request=ListingInput,
        responses={201: ListingFullOutput},
        tags=TAGS,
        description="A holder member drafts a listing (status `draft`). Terms by mode as API.md says; "
        "bad or misplaced terms are 400 `invalid_terms` with one entry per field.",
    )
    def post(self, request: Request) -> Response:
        data = _parse(ListingInput, request.data)
        achievement = Achievement.objects.select_related("holder").filter(pk=data.pop("achievement")).first()
        if achievement is None:
            raise ValidationError({"achievement": [_("没有该成果。")]})
        listing = services.listing_create(actor=request.user, achievement=achievement, **data)
        return Response(
            _listing_body(request, _visible_listing(request, listing.pk)), status=status.HTTP_201_CREATED
        )


class ListingDetailView(APIView):
    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        responses=ByCaller("ListingByCaller", public=ListingOutput, full=ListingFullOutput),
        tags=TAGS,
        description="Anyone sees a published listing (without `reserve_price`, `created_at`, "
        "`submitted_at`, `engaged_at`); the holder's members and operators see it in any status, in full.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_listing_body(request, _visible_listing(request, pk)))

    @extend_schema(request=ListingUpdateInput, responses=ListingFullOutput, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        listing = _visible_listing(request, pk)
        data = _parse(ListingUpdateInput, request.data)
        services.listing_update(listing=listing, actor=request.user, **data)
        return Response(_listing_body(request, _visible_listing(request, pk)))


class ListingSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=ListingFullOutput,
        tags=TAGS,
        description="-> `pending_internal_approval` when the holder requires its own approval (安心屋), "
        "else `pending_review`. 409 `achievement_already_listed` when another listing of the "
        "achievement is active; 422 when stored terms no longer hold (e.g. a start now past).",
    )
    def post(self, request: Request, pk: int) -> Response:
        services.listing_submit(listing=_visible_listing(request, pk), actor=request.user)
        return Response(_listing_body(request, _visible_listing(request, pk)))


class ListingInternalApprovalView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ListingInternalDecisionInput,
        responses=ListingFullOutput,
        tags=TAGS,
        description="The holder's approver (role `approver`) decides: approve -> `pending_review`, "
        "reject (comment required) -> `rejected`. The decision and the terms snapshot are kept.",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _visible_listing(request, pk)
        data = _parse(ListingInternalDecisionInput, request.data)
        services.listing_internal_decide(listing=listing, actor=request.user, **data)
        return Response(_listing_body(request, _visible_listing(request, pk)))


class ListingWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ListingWithdrawInput,
        responses=ListingFullOutput,
        tags=TAGS,
        description="A holder member withdraws; 409 `listing_engaged` once an offer, intent, "
        "registration or bid exists. Withdrawing a published auction listing nobody registered for "
        "also cancels its scheduled auction (status `cancelled`, the reason given or 持有单位撤回挂牌).",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _visible_listing(request, pk)
        data = _parse(ListingWithdrawInput, request.data)
        services.listing_withdraw(listing=listing, actor=request.user, **data)
        return Response(_listing_body(request, _visible_listing(request, pk)))


class ListingHistoryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ListingHistoryOutput,
        tags=TAGS,
        description="The moderation record, for the holder's members and operators: every status change "
        "with its actor and reason, and every internal decision with the terms the approver saw.",
    )
    def get(self, request: Request, pk: int) -> Response:
        listing = _visible_listing(request, pk)
        if not selectors.can_see_listing_in_full(request.user, listing):
            raise Forbidden("not_a_member", _("只有持有单位成员和平台运营人员可以查看审核记录。"))
        return Response(ListingHistoryOutput(selectors.listing_history(listing=listing)).data)


class MyListingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=cursor_page_schema(ListingFullOutput, "MyListingPage"),
        parameters=[CURSOR_PARAMETER],
        tags=TAGS,
        description="Every listing of the caller's organizations, any status, newest first.",
    )
    def get(self, request: Request) -> Response:
        paginator = NewestFirstPage()
        page = paginator.paginate_queryset(
            selectors.listings_of_organizations(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(ListingFullOutput(page, many=True).data)


class InternalQueueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=cursor_page_schema(ListingFullOutput, "InternalQueuePage"),
        parameters=[CURSOR_PARAMETER],
        tags=TAGS,
        description="Listings waiting for the caller's internal approval (安心屋), longest waiting first.",
    )
    def get(self, request: Request) -> Response:
        paginator = QueuePage()
        paginator.ordering = ("updated_at", "id")
        page = paginator.paginate_queryset(
            selectors.listings_internal_queue(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(ListingFullOutput(page, many=True).data)


# Operators ------------------------------------------------------------------------------------


class NewestFirstPage(CursorPage):
    ordering = ("-id",)


class QueuePage(CursorPage):
    ordering = ("submitted_at", "id")


class ReviewQueueView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        responses=cursor_page_schema(ListingFullOutput, "ReviewQueuePage"),
        parameters=[CURSOR_PARAMETER],
        tags=TAGS,
        description="Operators: listings waiting for review, longest waiting first.",
    )
    def get(self, request: Request) -> Response:
        paginator = QueuePage()
        page = paginator.paginate_queryset(selectors.listings_review_queue(), request, view=self)
        return paginator.get_paginated_response(ListingFullOutput(page, many=True).data)


class ListingReviewView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        request=ListingReviewInput,
        responses=ListingFullOutput,
        tags=TAGS,
        description="Operators: approve -> `published` (an auction listing then gets its auction), "
        "reject (reason required) -> `rejected`. 422 `terms_expired` when a start or end has passed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _visible_listing(request, pk)
        data = _parse(ListingReviewInput, request.data)
        services.listing_review(listing=listing, actor=request.user, **data)
        return Response(_listing_body(request, _visible_listing(request, pk)))


class ListingTakeDownView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        request=ListingTakeDownInput,
        responses=ListingFullOutput,
        tags=TAGS,
        description="Operators: take a published listing down, with a reason the holder sees. Everything "
        "open on it ends with the same reason in the same transaction: its scheduled or live auction is "
        "cancelled (every deposit released; the live room hears `closed` with status `cancelled`; "
        "registered bidders are notified, kind `auction_cancelled`), open offers become `withdrawn` "
        "(`offer_withdrawn`), an open public notice is `stopped` and makes no deal (`notice_stopped`), "
        "purchase intents are withdrawn (`intent_withdrawn`). 409 `deal_concluded` when the listing has "
        "a deal that stands (any status but `defaulted`): it is handled through the deal instead; 409 "
        "`invalid_status_transition` when the listing is not published.",
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _visible_listing(request, pk)
        data = _parse(ListingTakeDownInput, request.data)
        services.listing_take_down(listing=listing, actor=request.user, **data)
        return Response(_listing_body(request, _visible_listing(request, pk)))
