"""The ledger's rules, including the ones the database enforces on its own."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from marketplace.models import Journal, LedgerAccount, LedgerEntry
from marketplace.selectors import account_balance
from marketplace.services import account_for, journal_post, journal_reverse
from marketplace.services.ledger import UnbalancedJournal
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
K = LedgerAccount.Kind


def _post(key="k1", amount="100.00", org=None):
    org = org or OrganizationFactory()
    bank, escrow = account_for(K.BANK_CLEARING), account_for(K.ESCROW_DEPOSITS, org)
    # A journal must belong to something; a bank transfer row is the lightest owner.
    from marketplace.models import BankTransfer

    transfer = BankTransfer.objects.create(
        direction="in", source="bank_notification", bank_transaction_id=f"T-{key}", amount=Decimal(amount)
    )
    journal = journal_post(
        kind=Journal.Kind.DEPOSIT_RECEIVED,
        idempotency_key=key,
        lines=[(bank, Decimal(amount)), (escrow, -Decimal(amount))],
        transfer=transfer,
    )
    return journal, bank, escrow


def test_a_balanced_journal_is_recorded_once_and_balances_are_sums():
    journal, bank, escrow = _post()
    again = journal_post(
        kind=Journal.Kind.DEPOSIT_RECEIVED,
        idempotency_key="k1",
        lines=[(bank, Decimal("100.00")), (escrow, Decimal("-100.00"))],
        transfer=journal.transfer,
    )
    assert again.pk == journal.pk and Journal.objects.count() == 1 and LedgerEntry.objects.count() == 2
    assert account_balance(bank) == Decimal("100.00")
    assert account_balance(escrow) == Decimal("-100.00")


def test_the_service_refuses_unbalanced_lines_before_the_database_sees_them():
    org = OrganizationFactory()
    with pytest.raises(UnbalancedJournal):
        journal_post(
            kind=Journal.Kind.DEPOSIT_RECEIVED,
            idempotency_key="bad",
            lines=[
                (account_for(K.BANK_CLEARING), Decimal("1.00")),
                (account_for(K.ESCROW_DEPOSITS, org), Decimal("-0.99")),
            ],
        )
    assert not Journal.objects.exists()


def test_the_database_refuses_an_unbalanced_journal():
    journal, bank, _escrow = _post()
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        j = Journal.objects.create(kind="payment_received", idempotency_key="raw", transfer=journal.transfer)
        LedgerEntry.objects.create(journal=j, account=bank, amount=Decimal("5.00"))
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_a_journal_without_entries():
    journal, _bank, _escrow = _post()
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        Journal.objects.create(kind="payment_received", idempotency_key="empty", transfer=journal.transfer)
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unbalanced_journal_cannot_commit():
    journal, bank, escrow = _post()
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        j = Journal.objects.create(kind="payment_received", idempotency_key="raw2", transfer=journal.transfer)
        LedgerEntry.objects.create(journal=j, account=bank, amount=Decimal("5.00"))
        LedgerEntry.objects.create(journal=j, account=escrow, amount=Decimal("-4.00"))
    assert not Journal.objects.filter(idempotency_key="raw2").exists()
    assert account_balance(bank) == Decimal("100.00")


def test_entries_and_journals_refuse_update_and_delete():
    journal, bank, _escrow = _post()
    entry = journal.entries.first()
    for attempt in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00")),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
        lambda: Journal.objects.filter(pk=journal.pk).update(memo="changed"),
        lambda: Journal.objects.filter(pk=journal.pk)._raw_delete(Journal.objects.db),
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            attempt()
    assert account_balance(bank) == Decimal("100.00")


def test_a_correction_is_a_reversing_journal():
    journal, bank, escrow = _post()
    reversal = journal_reverse(journal=journal)
    assert reversal.kind == "reversal" and reversal.reverses_id == journal.pk
    assert account_balance(bank) == 0 and account_balance(escrow) == 0
    assert journal_reverse(journal=journal).pk == reversal.pk  # once only
    assert Journal.objects.count() == 2


def test_organization_accounts_need_an_organization_and_platform_accounts_none():
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(kind=K.ESCROW_DEPOSITS)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(kind=K.BANK_CLEARING, organization=OrganizationFactory())
    assert account_for(K.BANK_CLEARING).pk == account_for(K.BANK_CLEARING).pk
