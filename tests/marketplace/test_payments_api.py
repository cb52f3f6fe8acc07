"""The bank's notifications and the finance operator's confirmations, through the API."""

import hashlib
import hmac
import json
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from marketplace.models import BankTransfer, Journal, LedgerAccount, Payable
from marketplace.selectors import account_balance
from marketplace.services import account_for, deal_conclude, deposit_create
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
K = LedgerAccount.Kind
URL = "/api/v1/payments/notifications/"


def signed(body: dict, *, secret: str | None = None, at: float | None = None) -> dict:
    raw = json.dumps(body, ensure_ascii=False).encode()
    ts = str(int(at if at is not None else time.time()))
    key = (secret or settings.MARKET["BANK_WEBHOOK_SECRET"]).encode()
    sig = hmac.new(key, ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {
        "data": raw,
        "content_type": "application/json",
        "HTTP_X_BANK_TIMESTAMP": ts,
        "HTTP_X_BANK_SIGNATURE": sig,
    }


def notice(payable: Payable, amount: str, txn: str = "ICBC-0001") -> dict:
    return {
        "transaction_id": txn,
        "reference": payable.payment_reference,
        "amount": amount,
        "payer_name": "杭州测试科技有限公司",
    }


@pytest.fixture
def deposit(company, auction_listing) -> Payable:
    return deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="reg:9"
    )


def test_a_signed_notification_credits_the_deposit_and_freezes_it(deposit):
    r = APIClient().post(URL, **signed(notice(deposit, "20000.00")))
    assert r.status_code == 200, r.content
    assert r.json() == {
        "status": "credited",
        "transfer": BankTransfer.objects.get().pk,
        "payment": deposit.pk,
    }
    deposit.refresh_from_db()
    assert (deposit.status, deposit.deposit_status, deposit.amount_paid) == (
        "paid",
        "frozen",
        Decimal("20000.00"),
    )
    assert Journal.objects.get().kind == "deposit_received"


def test_the_reference_is_matched_as_typed_by_a_person(deposit):
    body = notice(deposit, "20000.00")
    ref = deposit.payment_reference
    body["reference"] = f" {ref[:6].lower()}-{ref[6:]} "
    assert APIClient().post(URL, **signed(body)).json()["status"] == "credited"


def test_a_forged_signature_is_401_and_records_nothing(deposit):
    r = APIClient().post(URL, **signed(notice(deposit, "20000.00"), secret="not-the-secret"))
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    tampered = signed(notice(deposit, "1.00"))
    tampered["data"] = json.dumps(notice(deposit, "20000.00")).encode()  # body changed after signing
    assert APIClient().post(URL, **tampered).status_code == 401
    unsigned = signed(notice(deposit, "20000.00"))
    del unsigned["HTTP_X_BANK_SIGNATURE"]
    assert APIClient().post(URL, **unsigned).json()["code"] == "invalid_signature"
    assert not BankTransfer.objects.exists() and not Journal.objects.exists()


def test_a_stale_timestamp_is_401_and_records_nothing(deposit):
    r = APIClient().post(URL, **signed(notice(deposit, "20000.00"), at=time.time() - 301))
    assert r.status_code == 401 and r.json()["code"] == "stale_timestamp"
    assert (
        APIClient().post(URL, **signed(notice(deposit, "20000.00"), at=time.time() + 400)).status_code == 401
    )
    assert not BankTransfer.objects.exists()


def test_a_replay_records_nothing_new(deposit):
    request = signed(notice(deposit, "5000.00"))
    assert APIClient().post(URL, **request).json()["status"] == "credited"
    again = APIClient().post(URL, **request)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    deposit.refresh_from_db()
    assert deposit.amount_paid == Decimal("5000.00") and deposit.status == "pending"
    assert BankTransfer.objects.count() == 1 and Journal.objects.count() == 1


def test_part_payments_stay_pending_and_an_overpayment_opens_a_refund(deposit, company):
    APIClient().post(URL, **signed(notice(deposit, "12000.00", "T1")))
    deposit.refresh_from_db()
    assert (deposit.status, deposit.deposit_status) == ("pending", "pending")
    APIClient().post(URL, **signed(notice(deposit, "10000.00", "T2")))
    deposit.refresh_from_db()
    assert (deposit.status, deposit.deposit_status, deposit.amount_paid) == (
        "paid",
        "frozen",
        Decimal("20000.00"),
    )
    refund = Payable.objects.get(kind="refund")
    assert (refund.amount, refund.payer, refund.refund_of) == (Decimal("2000.00"), company, deposit)
    assert account_balance(account_for(K.REFUNDS_PAYABLE, company)) == Decimal("-2000.00")
    assert account_balance(account_for(K.BANK_CLEARING)) == Decimal("22000.00")


def test_an_unknown_reference_is_booked_for_operators_to_trace(deposit, operator):
    body = {"transaction_id": "X1", "reference": "ZJNOSUCHREF00000", "amount": "800.00"}
    assert APIClient().post(URL, **signed(body)).json()["status"] == "unallocated"
    assert account_balance(account_for(K.UNALLOCATED)) == Decimal("-800.00")
    assert operator.notifications.filter(kind="payment_unmatched").exists()


def test_malformed_body_with_a_good_signature_is_400(deposit):
    r = APIClient().post(URL, **signed({"transaction_id": "T", "reference": "x", "amount": "-5"}))
    assert r.status_code == 400 and "amount" in r.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_notifications_for_one_reference_credit_exactly_once(company, auction_listing):
    deposit = deposit_create(
        payer=company, listing=auction_listing, amount=Decimal("20000.00"), idempotency_key="c"
    )
    same = signed(notice(deposit, "20000.00", "SAME-TXN"))
    other = signed(notice(deposit, "20000.00", "OTHER-TXN"))  # a second real transfer: all of it owed back
    barrier = threading.Barrier(4)
    statuses: list[str] = []

    def send(request):
        try:
            barrier.wait()
            statuses.append(APIClient().post(URL, **request).json()["status"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(r,)) for r in (same, same, same, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == ["credited", "credited", "duplicate", "duplicate"]
    deposit.refresh_from_db()
    assert (deposit.amount_paid, deposit.deposit_status) == (Decimal("20000.00"), "frozen")
    assert BankTransfer.objects.count() == 2
    assert Payable.objects.get(kind="refund").amount == Decimal("20000.00")
    assert account_balance(account_for(K.BANK_CLEARING)) == Decimal("40000.00")


def test_a_finance_operator_confirms_an_offline_transfer_with_a_note(operator, company, listing):
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    op = client_for(operator)
    url = f"/api/v1/payments/{deal.payment_id}/confirm/"
    r = op.post(url, {"bank_transaction_id": "OFFLINE-1"})
    assert r.status_code == 400 and "note" in r.json()["fields"]
    r = op.post(
        url, {"note": "客户线下电汇，凭证已核", "bank_transaction_id": "OFFLINE-1"}, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["amount_paid"]) == ("paid", "480000.00")
    transfer = BankTransfer.objects.get()
    assert (transfer.source, transfer.confirmed_by, transfer.note) == (
        "operator",
        operator,
        "客户线下电汇，凭证已核",
    )
    deal.refresh_from_db()
    assert deal.status == "paid"
    # The same request again replays; the bank later reporting the same transfer credits nothing.
    assert (
        op.post(
            url,
            {"note": "客户线下电汇，凭证已核", "bank_transaction_id": "OFFLINE-1"},
            HTTP_IDEMPOTENCY_KEY="k1",
        ).status_code
        == 200
    )
    body = {"transaction_id": "OFFLINE-1", "reference": deal.payment.payment_reference, "amount": "480000.00"}
    assert APIClient().post(URL, **signed(body)).json()["status"] == "duplicate"
    assert op.post(url, {"note": "再次确认", "bank_transaction_id": "OFFLINE-2"}).status_code == 409


def test_confirming_needs_the_finance_permission(company, listing, buyer):
    deal = deal_conclude(listing=listing, buyer=company, price=Decimal("480000.00"), mode="negotiated")
    body = {"note": "x", "bank_transaction_id": "B"}
    for user in (buyer, UserFactory(is_staff=True)):
        r = client_for(user).post(f"/api/v1/payments/{deal.payment_id}/confirm/", body)
        assert r.status_code == 403 and r.json()["code"] == "finance_operator_only"
    assert APIClient().post(f"/api/v1/payments/{deal.payment_id}/confirm/", body).status_code == 401
    assert not BankTransfer.objects.exists()


def test_a_refund_is_paid_out_by_a_finance_operator(operator, deposit, company):
    from marketplace.services import deposit_release

    from .conftest import bank_pays

    bank_pays(deposit)
    deposit_release(payable=deposit)
    refund = Payable.objects.get(kind="refund")
    r = client_for(operator).post(
        f"/api/v1/payments/{refund.pk}/confirm/", {"note": "已退回原账户", "bank_transaction_id": "OUT-1"}
    )
    assert r.status_code == 200 and r.json()["status"] == "paid"
    assert account_balance(account_for(K.REFUNDS_PAYABLE, company)) == 0
    assert account_balance(account_for(K.BANK_CLEARING)) == 0
    assert Journal.objects.filter(kind="refund").count() == 1


def test_the_confirming_services_check_the_finance_permission_themselves():
    """#12 hole 11: only the adapters checked it; a service called by anything else moved money."""
    import pytest as _pytest

    from core.errors import Forbidden
    from marketplace.models import Payable
    from marketplace.services.payments import payable_confirm, payout_confirm
    from tests.factories import UserFactory, open_auction, registered_bidder

    auction = open_auction(deposit="5000.00", started=True)
    _bidder, registration = registered_bidder(auction, frozen=False)
    payable = Payable.objects.get(pk=registration.payment_id)
    for confirm in (payable_confirm, payout_confirm):
        with _pytest.raises(Forbidden) as refused:
            confirm(payable=payable, actor=UserFactory(), note="到账", bank_transaction_id="B-1")
        assert refused.value.code == "finance_operator_only"
    payable.refresh_from_db()
    assert payable.status == "pending"
