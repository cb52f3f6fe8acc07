"""auctions: the migrations 0001_initial … 0010_registration_client in one, for a fresh database (Django uses
it where none of them has been applied, and takes it as applied where all have). The final state
of their models, created at once (core.migration_operations.CreateModels), then every SQL step
that makes a function, trigger or data the schema needs, in their order. Left out: the steps
that only rework existing rows (a fresh database has none)."""

from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.migration_operations

SQL_0004_2_BACK = """
DROP FUNCTION auction_bid_place(bigint, bigint, numeric, text, boolean);
DROP FUNCTION auction_bidder_standing(bigint, bigint);
DROP FUNCTION auction_proxies_resolve(bigint, timestamptz);
DROP FUNCTION auction_bid_append(bigint, bigint, text, numeric, timestamptz, text, boolean);
DROP FUNCTION auction_state_refusal(auctions_auction, timestamptz);
DROP FUNCTION auction_minimum_next_bid(auctions_auction);
DROP FUNCTION auction_bid_hash(text, bigint, integer, numeric, text, timestamptz);
"""

SQL_0007_0_BACK = """
CREATE OR REPLACE FUNCTION auction_bidder_standing(p_auction bigint, p_user bigint)
RETURNS TABLE (registration_id bigint, bidder_no text, refusal text)
LANGUAGE sql STABLE AS $$
    SELECT r.id, r.bidder_no::text, CASE
            WHEN o.status <> 'verified' THEN 'organization_not_verified'
            WHEN p.deposit_status IS DISTINCT FROM 'frozen' THEN 'deposit_not_frozen'
            WHEN accounts_organizations_related(a.holder_id, r.organization_id) THEN 'related_party'
        END
      FROM auctions_registration r
      JOIN accounts_membership m ON m.organization_id = r.organization_id AND m.user_id = p_user
      JOIN accounts_organization o ON o.id = r.organization_id
      JOIN auctions_auction a ON a.id = r.auction_id
      LEFT JOIN marketplace_payable p ON p.id = r.payment_id
     WHERE r.auction_id = p_auction
     ORDER BY r.id
     LIMIT 1
$$;
"""

SQL_0009_0_BACK = """CREATE OR REPLACE FUNCTION auction_bid_place(
    p_auction bigint, p_user bigint, p_amount numeric, p_key text, p_alone boolean
)
RETURNS TABLE (
    outcome text, code text, minimum numeric, ends_at timestamptz, extended boolean,
    bid_id bigint, seq integer, registration_id bigint, bidder_no text, amount numeric,
    placed_at timestamptz, is_proxy boolean, hash text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    standing record;
    a auctions_auction;
    decided_at timestamptz;
    refusal text;
    least_bid numeric;
    prior record;
    placed auctions_bid;
    bids auctions_bid[];
    final_ends timestamptz;
BEGIN
    SELECT * INTO standing FROM auction_bidder_standing(p_auction, p_user);
    IF NOT FOUND THEN
        refusal := CASE WHEN EXISTS (SELECT 1 FROM auctions_auction au WHERE au.id = p_auction)
                        THEN 'not_registered' ELSE 'not_found' END;
        RETURN QUERY SELECT 'refused', refusal, NULL::numeric, NULL::timestamptz, false, NULL::bigint,
            NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz, NULL::boolean, NULL::text;
        RETURN;
    END IF;

    IF p_key <> '' THEN
        PERFORM pg_advisory_xact_lock(
            hashtextextended('bid:' || p_auction || ':' || standing.registration_id || ':' || p_key, 0));
        SELECT 'replayed' AS kind, x.id, x.amount, NULL::text AS code, NULL::numeric AS minimum
          INTO prior FROM auctions_bid x
         WHERE x.auction_id = p_auction AND x.registration_id = standing.registration_id AND x.key = p_key;
        IF NOT FOUND THEN
            SELECT 'refused' AS kind, NULL::bigint AS id, x.amount, x.code, x.minimum
              INTO prior FROM auctions_bidrefusal x
             WHERE x.auction_id = p_auction AND x.registration_id = standing.registration_id AND x.key = p_key;
        END IF;
        IF FOUND THEN
            IF prior.amount <> p_amount THEN
                RETURN QUERY SELECT 'refused', 'idempotency_key_reused', NULL::numeric, NULL::timestamptz,
                    false, NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::numeric,
                    NULL::timestamptz, NULL::boolean, NULL::text;
            ELSIF prior.kind = 'refused' THEN
                RETURN QUERY SELECT 'refused', prior.code::text, prior.minimum, NULL::timestamptz,
                    false, NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::numeric,
                    NULL::timestamptz, NULL::boolean, NULL::text;
            ELSE
                RETURN QUERY SELECT 'replayed', NULL::text, NULL::numeric, au.ends_at, false,
                    x.id, x.seq, x.registration_id, standing.bidder_no, x.amount, x.placed_at, x.is_proxy,
                    x.hash::text
                  FROM auctions_bid x JOIN auctions_auction au ON au.id = x.auction_id
                 WHERE x.id = prior.id;
            END IF;
            RETURN;
        END IF;
    END IF;

    IF standing.refusal IS NOT NULL THEN  -- after the key: a key already seen got its first outcome
        RETURN QUERY SELECT 'refused', standing.refusal, NULL::numeric, NULL::timestamptz, false,
            NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz,
            NULL::boolean, NULL::text;
        RETURN;
    END IF;

    SELECT * INTO a FROM auctions_auction au WHERE au.id = p_auction FOR NO KEY UPDATE;
    decided_at := clock_timestamp();
    least_bid := auction_minimum_next_bid(a);
    refusal := auction_state_refusal(a, decided_at);
    IF refusal = 'start_due' THEN
        RETURN QUERY SELECT 'start_due', refusal, NULL::numeric, a.ends_at, false, NULL::bigint,
            NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz, NULL::boolean, NULL::text;
        RETURN;
    END IF;
    IF refusal IS NULL THEN
        refusal := CASE
            WHEN a.leader_id = standing.registration_id THEN 'already_leading'
            WHEN p_amount < least_bid THEN 'below_minimum'
            WHEN (p_amount - a.start_price) % a.increment <> 0 THEN 'invalid_increment'
        END;
    END IF;
    IF refusal IS NOT NULL THEN
        IF refusal <> 'below_minimum' THEN
            least_bid := NULL;
        END IF;
        IF p_key <> '' THEN
            IF p_alone THEN  -- only when the call is its own transaction: nothing else rides on it
                PERFORM set_config('synchronous_commit', 'off', true);
            END IF;
            INSERT INTO auctions_bidrefusal (auction_id, registration_id, key, amount, code, minimum, created_at)
            VALUES (p_auction, standing.registration_id, p_key, p_amount, refusal, least_bid, decided_at);
        END IF;
        RETURN QUERY SELECT 'refused', refusal, least_bid, a.ends_at, false, NULL::bigint,
            NULL::integer, NULL::bigint, NULL::text, NULL::numeric, NULL::timestamptz, NULL::boolean, NULL::text;
        RETURN;
    END IF;

    placed := auction_bid_append(
        p_auction, standing.registration_id, standing.bidder_no, p_amount, decided_at, p_key, false);
    -- a statement of its own, so that the proxies see the bid
    bids := ARRAY[placed] || ARRAY(SELECT x FROM auction_proxies_resolve(p_auction, decided_at) x);
    SELECT au.ends_at INTO final_ends FROM auctions_auction au WHERE au.id = p_auction;
    RETURN QUERY SELECT 'accepted', NULL::text, NULL::numeric, final_ends, final_ends <> a.ends_at,
        x.id, x.seq, x.registration_id, g.bidder_no::text, x.amount, x.placed_at, x.is_proxy, x.hash::text
      FROM unnest(bids) x JOIN auctions_registration g ON g.id = x.registration_id
     ORDER BY x.seq;
END
$$;
"""


def _sql(name):
    return (Path(__file__).resolve().parents[1] / "sql" / name).read_text(encoding="utf-8")


class Migration(migrations.Migration):
    replaces = [
        ("auctions", "0001_initial"),
        ("auctions", "0002_deposit_payable_and_deal"),
        ("auctions", "0003_close_blocked"),
        ("auctions", "0004_bid_engine_in_the_database"),
        ("auctions", "0005_bid_engine_reload"),
        ("auctions", "0006_proxies_leader_never_raises_itself"),
        ("auctions", "0007_standing_tied_people"),
        ("auctions", "0008_fair_trades"),
        ("auctions", "0009_preemptive_bid"),
        ("auctions", "0010_registration_client"),
    ]

    initial = True

    dependencies = [
        ("accounts", "0008_tied_to_holder_functions"),
        ("listings", "0003_use_first_rules"),
        ("marketplace", "0013_issue_missing_confirmations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        core.migration_operations.CreateModels(
            operations=[
                migrations.CreateModel(
                    name="Auction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("scheduled", "即将开拍"),
                                    ("live", "竞价中"),
                                    ("sold", "已成交"),
                                    ("unsold", "流拍"),
                                    ("cancelled", "已取消"),
                                ],
                                default="scheduled",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "start_price",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="起拍价"),
                        ),
                        (
                            "increment",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="加价幅度"),
                        ),
                        (
                            "reserve_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="保留价"
                            ),
                        ),
                        (
                            "deposit",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="保证金"),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="开拍时间")),
                        ("ends_at", models.DateTimeField(verbose_name="结束时间")),
                        ("scheduled_ends_at", models.DateTimeField(verbose_name="原定结束时间")),
                        ("extension_seconds", models.PositiveIntegerField(verbose_name="延时周期（秒）")),
                        ("restricted", models.BooleanField(default=False, verbose_name="限定竞买人")),
                        (
                            "current_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="当前价"
                            ),
                        ),
                        ("bid_count", models.PositiveIntegerField(default=0, verbose_name="出价次数")),
                        (
                            "last_hash",
                            models.CharField(
                                default="0000000000000000000000000000000000000000000000000000000000000000",
                                max_length=64,
                            ),
                        ),
                        ("proxy_count", models.PositiveIntegerField(default=0)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "allowed_buyers",
                            models.ManyToManyField(blank=True, related_name="+", to="accounts.organization"),
                        ),
                        (
                            "holder",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "listing",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="auction",
                                to="listings.listing",
                            ),
                        ),
                        (
                            "leader",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="auctions.registration",
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.deal",
                            ),
                        ),
                        ("close_blocked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "close_blocked_code",
                            models.CharField(
                                blank=True, default="", max_length=64, verbose_name="无法成交原因"
                            ),
                        ),
                        (
                            "preemptive_registered",
                            models.BooleanField(default=False, verbose_name="优先购买权人已登记"),
                        ),
                    ],
                    options={
                        "verbose_name": "拍卖",
                        "verbose_name_plural": "拍卖",
                        "indexes": [models.Index(fields=["status", "ends_at"], name="auction_status_ends")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("start_price__gt", 0)),
                                name="auction_start_price_positive",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("increment__gt", 0)), name="auction_increment_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("deposit__gte", 0)), name="auction_deposit_nonneg"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("starts_at__lt", models.F("ends_at"))),
                                name="auction_starts_before_end",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("reserve_price__isnull", True),
                                    ("reserve_price__gte", models.F("start_price")),
                                    _connector="OR",
                                ),
                                name="auction_reserve_at_least_start",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("bid_count", 0),
                                        ("current_price__isnull", True),
                                        ("leader__isnull", True),
                                    ),
                                    models.Q(
                                        ("bid_count__gt", 0),
                                        ("current_price__gte", models.F("start_price")),
                                        ("leader__isnull", False),
                                    ),
                                    _connector="OR",
                                ),
                                name="auction_price_leader_bids",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "sold"), _negated=True),
                                    models.Q(("bid_count__gt", 0), ("deal__isnull", False)),
                                    _connector="OR",
                                ),
                                name="auction_sold_has_deal",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AuctionStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "from_status",
                            models.CharField(
                                choices=[
                                    ("scheduled", "即将开拍"),
                                    ("live", "竞价中"),
                                    ("sold", "已成交"),
                                    ("unsold", "流拍"),
                                    ("cancelled", "已取消"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "to_status",
                            models.CharField(
                                choices=[
                                    ("scheduled", "即将开拍"),
                                    ("live", "竞价中"),
                                    ("sold", "已成交"),
                                    ("unsold", "流拍"),
                                    ("cancelled", "已取消"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField()),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="auctions.auction",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Registration",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("bidder_no", models.CharField(max_length=8, verbose_name="竞买号")),
                        (
                            "deposit",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="保证金"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="registrations",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                        (
                            "registered_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "payment",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.payable",
                            ),
                        ),
                        ("preemptive", models.BooleanField(default=False, verbose_name="优先购买权人")),
                        (
                            "client_address",
                            models.GenericIPAddressField(blank=True, null=True, verbose_name="登记地址"),
                        ),
                        (
                            "client_device",
                            models.CharField(blank=True, max_length=32, verbose_name="登记设备"),
                        ),
                    ],
                    options={
                        "verbose_name": "竞买登记",
                        "verbose_name_plural": "竞买登记",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("auction", "organization"), name="registration_one_per_org"
                            ),
                            models.UniqueConstraint(
                                fields=("auction", "bidder_no"), name="registration_bidder_no_unique"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("deposit__gte", 0)), name="registration_deposit_nonneg"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ProxyBid",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "max_amount",
                            models.DecimalField(decimal_places=2, max_digits=14, verbose_name="最高出价"),
                        ),
                        ("set_at", models.DateTimeField()),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="proxy_bids",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "registration",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="proxy_bid",
                                to="auctions.registration",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("max_amount__gt", 0)), name="proxy_bid_max_positive"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="BidRefusal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                        ("code", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField()),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="auctions.registration",
                            ),
                        ),
                        ("minimum", models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                    ],
                    options={
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("auction", "registration", "key"), name="bid_refusal_key_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Bid",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("seq", models.PositiveIntegerField()),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="出价")),
                        ("placed_at", models.DateTimeField()),
                        ("key", models.CharField(blank=True, max_length=200)),
                        ("is_proxy", models.BooleanField(default=False)),
                        ("hash", models.CharField(max_length=64)),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="bids",
                                to="auctions.registration",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("auction", "seq"),
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(fields=("auction", "seq"), name="bid_seq_unique"),
                            models.UniqueConstraint(
                                condition=models.Q(("key", ""), _negated=True),
                                fields=("auction", "registration", "key"),
                                name="bid_key_unique",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)), name="bid_amount_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("seq__gt", 0)), name="bid_seq_positive"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="BestOffer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="报价")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("sealed", "已密封"),
                                    ("accepted", "已接受"),
                                    ("declined", "未获接受"),
                                ],
                                default="sealed",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("made_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "made_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "payment",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.payable",
                            ),
                        ),
                        (
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="best_offers",
                                to="auctions.registration",
                            ),
                        ),
                        (
                            "window",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="offers",
                                to="auctions.bestofferwindow",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "择优报价",
                        "verbose_name_plural": "择优报价",
                        "indexes": [],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("window", "registration"), name="best_offer_one_per_bidder"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)), name="best_offer_amount_positive"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="BestOfferStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "offer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="auctions.bestoffer",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="BestOfferWindow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "报价中"),
                                    ("accepted", "已择优成交"),
                                    ("lapsed", "已失效"),
                                ],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("opened_at", models.DateTimeField()),
                        ("closes_at", models.DateTimeField(verbose_name="截止时间")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "auction",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="best_offer_window",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "opened_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "择优报价窗口",
                        "verbose_name_plural": "择优报价窗口",
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("closes_at__gt", models.F("opened_at"))),
                                name="best_offer_window_ends",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="BestOfferWindowStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "window",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="auctions.bestofferwindow",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="Checkpoint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("event", models.CharField(max_length=32, verbose_name="事件")),
                        ("count", models.PositiveIntegerField(verbose_name="出价数")),
                        ("head", models.CharField(max_length=64, verbose_name="链头哈希")),
                        ("outcome", models.CharField(max_length=32, verbose_name="结果")),
                        ("payload", models.JSONField()),
                        ("signature", models.CharField(max_length=128)),
                        ("key_id", models.CharField(max_length=32)),
                        ("created_at", models.DateTimeField()),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="checkpoints",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.deal",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "存证检查点",
                        "verbose_name_plural": "存证检查点",
                        "ordering": ("auction", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
                migrations.CreateModel(
                    name="RunnerUpOffer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="价格")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "待答复"),
                                    ("accepted", "已接受"),
                                    ("declined", "已放弃"),
                                    ("lapsed", "已逾期"),
                                ],
                                default="open",
                                max_length=16,
                                verbose_name="状态",
                            ),
                        ),
                        ("offered_at", models.DateTimeField()),
                        ("expires_at", models.DateTimeField(verbose_name="答复截止")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "auction",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="runner_up_offers",
                                to="auctions.auction",
                            ),
                        ),
                        (
                            "deal",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "defaulted_deal",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="runner_up_offer",
                                to="marketplace.deal",
                            ),
                        ),
                        (
                            "offered_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "payment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="marketplace.payable",
                            ),
                        ),
                        (
                            "registration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="runner_up_offers",
                                to="auctions.registration",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "顺位受让",
                        "verbose_name_plural": "顺位受让",
                        "indexes": [],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)), name="runner_up_amount_positive"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RunnerUpOfferStatusChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("from_status", models.CharField(blank=True, max_length=16)),
                        ("to_status", models.CharField(max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "offer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="status_changes",
                                to="auctions.runnerupoffer",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ("created_at", "id"),
                        "indexes": [],
                        "constraints": [],
                    },
                ),
            ],
        ),
        # from 0004_bid_engine_in_the_database
        migrations.RunSQL(_sql("0004_bid_engine.sql"), SQL_0004_2_BACK),
        # from 0005_bid_engine_reload
        migrations.RunSQL(_sql("0004_bid_engine.sql"), migrations.RunSQL.noop),
        # from 0006_proxies_leader_never_raises_itself
        migrations.RunSQL(_sql("0006_proxies_leader_never_raises_itself.sql"), _sql("0004_bid_engine.sql")),
        # from 0007_standing_tied_people
        migrations.RunSQL(_sql("0007_standing_tied_people.sql"), SQL_0007_0_BACK),
        # from 0009_preemptive_bid
        migrations.RunSQL(_sql("0009_preemptive_bid.sql"), SQL_0009_0_BACK),
    ]
