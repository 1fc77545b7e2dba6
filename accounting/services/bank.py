"""Balancing the bank accounts: import statements, match their lines to payments (by
themselves or by hand), book the rest, and reconcile a statement against the ledger.

A statement is reconciled when none of its lines is unmatched and its closing balance equals
the ledger's balance of the bank account up to the statement date.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounting import selectors
from accounting.bank_formats import MAX_FILE_BYTES, statement_parse
from accounting.models import Account, BankStatement, BankStatementLine, Payment
from accounting.services.ledger import Line, journal_entry_post
from accounting.services.payments import _bic_clean, _iban_clean
from backoffice.money import format_money
from backoffice.stored_text import format_date

# A payment reference shorter than this ("1", "x") would be found in almost any line text.
MIN_REFERENCE_LENGTH = 4


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text or "").casefold()


def _fit(payment: Payment, *, reference: str, iban: str) -> int:
    """How well a payment of the right amount fits a line: 1 point for its reference found
    in the line's reference, 1 for the same counterparty IBAN (both normalised)."""
    payment_reference = _normalise(payment.reference)
    by_reference = len(payment_reference) >= MIN_REFERENCE_LENGTH and (
        payment_reference in reference
    )
    by_iban = bool(iban) and _normalise(payment.iban) == iban
    return int(by_reference) + int(by_iban)


@transaction.atomic
def bank_account_details_set(*, account: Account, iban: str, bic: str = "") -> Account:
    """Record the IBAN and BIC of a bank account (checked, stored compact). The only writer
    of a bank account's details: the bank accounts page shows them, payroll's SEPA files pay
    from them. Who may change them is the caller's rule (payroll asks a second person)."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if not account.is_bank:
        raise ValidationError(_("Choose a bank account (an account marked as bank)."))
    account.iban = _iban_clean(iban)
    account.bic = _bic_clean(bic)
    account.full_clean()
    account.save(update_fields=["iban", "bic", "updated_at"])
    return account


def statement_import(*, bank_account: Account, file, filename: str = "", user) -> BankStatement:
    """Read a CSV or camt.053 statement into the bank account, then match its lines to posted
    payments. All or nothing: a malformed file, a statement that does not add up or a
    reference imported before writes nothing."""
    if not getattr(bank_account, "is_bank", False):
        raise ValidationError(_("Choose a bank account (an account marked as bank)."))
    # One byte more than allowed is enough to tell a file that is too large.
    content = file.read(MAX_FILE_BYTES + 1) if hasattr(file, "read") else bytes(file)
    parsed = statement_parse(content=content, filename=filename or getattr(file, "name", ""))
    if (
        bank_account.iban
        and parsed.iban
        and _normalise(bank_account.iban) != _normalise(parsed.iban)
    ):
        raise ValidationError(
            _(
                "The statement belongs to the account %(statement_iban)s, not to %(account)s "
                "(%(account_iban)s)."
            )
            % {
                "statement_iban": parsed.iban,
                "account": bank_account.number,
                "account_iban": bank_account.iban,
            }
        )
    duplicate = _("The statement %(reference)s was already imported into %(account)s.") % {
        "reference": parsed.reference,
        "account": bank_account.number,
    }
    if BankStatement.objects.filter(bank_account=bank_account, reference=parsed.reference).exists():
        raise ValidationError(duplicate)

    statement = BankStatement(
        bank_account=bank_account,
        reference=parsed.reference,
        date=parsed.date,
        opening_balance=parsed.opening_balance,
        closing_balance=parsed.closing_balance,
        file_format=parsed.file_format,
        imported_by=user,
    )
    statement.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            statement.save()
            BankStatementLine.objects.bulk_create(
                [
                    BankStatementLine(
                        statement=statement,
                        booking_date=line.booking_date,
                        amount=line.amount,
                        counterparty=line.counterparty,
                        iban=line.iban,
                        reference=line.reference,
                    )
                    for line in parsed.lines
                ],
                batch_size=1000,
            )
            statement_auto_match(statement=statement)
    except IntegrityError as exc:
        # The unique constraint is the backstop when two imports of the same file race.
        if BankStatement.objects.filter(
            bank_account=bank_account, reference=parsed.reference
        ).exists():
            raise ValidationError(duplicate) from exc
        raise
    return statement


def _candidates(*, bank_account_id: int, amounts: Iterable[Decimal]) -> QuerySet[Payment]:
    """Posted payments of the bank account with one of these amounts, not matched yet."""
    return Payment.objects.filter(
        status=Payment.Status.POSTED,
        bank_account_id=bank_account_id,
        amount__in=set(amounts),
        statement_line__isnull=True,
    ).order_by("due_date", "id")


def _direction(amount: Decimal) -> str:
    return Payment.Direction.INCOMING if amount > 0 else Payment.Direction.OUTGOING


@transaction.atomic
def statement_auto_match(*, statement: BankStatement) -> int:
    """Match each unmatched line to the one posted payment with its amount and direction
    whose reference appears in the line's reference or whose IBAN is the line's IBAN. Where
    several payments fit, one matching both reference and IBAN wins; otherwise the line stays
    for an accountant, as does a line whose payment another line claims too. Returns how many
    lines were matched."""
    statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.reconciled_at is not None:
        return 0
    lines = list(statement.lines.filter(status=BankStatementLine.Status.UNMATCHED))
    if not lines:
        return 0
    by_key: dict[tuple[str, Decimal], list[Payment]] = defaultdict(list)
    for payment in _candidates(
        bank_account_id=statement.bank_account_id, amounts=(abs(ln.amount) for ln in lines)
    ).select_for_update(of=("self",)):
        by_key[(payment.direction, payment.amount)].append(payment)

    proposals: dict[int, Payment] = {}
    for line in lines:
        reference = _normalise(line.reference)
        iban = _normalise(line.iban)
        scored = []
        for payment in by_key.get((_direction(line.amount), abs(line.amount)), []):
            score = _fit(payment, reference=reference, iban=iban)
            if score:
                scored.append((score, payment))
        if not scored:
            continue
        best = max(score for score, _p in scored)
        top = [p for score, p in scored if score == best]
        if len(top) == 1:
            proposals[line.pk] = top[0]

    claims = Counter(p.pk for p in proposals.values())
    matched = []
    for line in lines:
        payment = proposals.get(line.pk)
        if payment is not None and claims[payment.pk] == 1:
            line.payment = payment
            line.status = BankStatementLine.Status.MATCHED
            matched.append(line)
    BankStatementLine.objects.bulk_update(matched, ["payment", "status"])
    return len(matched)


def _line_for_update(line: BankStatementLine) -> BankStatementLine:
    line = (
        BankStatementLine.objects.select_for_update(of=("self",))
        .select_related("statement")
        .get(pk=line.pk)
    )
    if line.statement.reconciled_at is not None:
        raise ValidationError(_("The statement is reconciled; its lines can no longer change."))
    if line.status != BankStatementLine.Status.UNMATCHED:
        raise ValidationError(
            _("This line is already %(status)s.") % {"status": line.get_status_display()}
        )
    return line


@transaction.atomic
def statement_line_match(*, line: BankStatementLine, payment: Payment, user) -> BankStatementLine:
    """Match an unmatched line to a posted payment of the same bank account, amount and
    direction that no other line is matched to."""
    line = _line_for_update(line)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.POSTED:
        raise ValidationError(
            _("Only an approved and posted payment can be matched; this one is %(status)s.")
            % {"status": payment.get_status_display()}
        )
    if payment.bank_account_id != line.statement.bank_account_id:
        raise ValidationError(_("The payment goes through another bank account."))
    if payment.amount != abs(line.amount) or payment.direction != _direction(line.amount):
        raise ValidationError(
            _("The payment (%(payment)s, %(direction)s) does not fit the line (%(line)s).")
            % {
                "payment": format_money(payment.amount),
                "direction": payment.get_direction_display(),
                "line": format_money(line.amount),
            }
        )
    if BankStatementLine.objects.filter(payment=payment).exists():
        raise ValidationError(_("The payment is already matched to another statement line."))
    line.payment = payment
    line.status = BankStatementLine.Status.MATCHED
    try:
        with transaction.atomic():
            line.save(update_fields=["payment", "status"])
    except IntegrityError as exc:
        raise ValidationError(
            _("The payment is already matched to another statement line.")
        ) from exc
    return line


@transaction.atomic
def statement_line_book(
    *, line: BankStatementLine, account: Account, user, department=None
) -> BankStatementLine:
    """Book an unmatched line (bank charges, interest, ...) straight against an account:
    money in debits the bank, money out credits it. Posts one entry on the booking date."""
    line = _line_for_update(line)
    bank_id = line.statement.bank_account_id
    if account is None or account.pk == bank_id:
        raise ValidationError(_("Choose the account to book against, not the bank account."))
    if not account.active:
        raise ValidationError(_("The account %(account)s is inactive.") % {"account": account})
    amount = abs(line.amount)
    incoming = line.amount > 0
    bank = Line(account=bank_id, side="D" if incoming else "C", amount=amount)
    counter = Line(
        account=account.pk,
        side="C" if incoming else "D",
        amount=amount,
        department=department,
        memo=line.reference[:300],
    )
    entry = journal_entry_post(
        date=line.booking_date,
        lines=[bank, counter] if incoming else [counter, bank],
        source=f"accounting.statement_line:{line.pk}",
        memo=(
            _("Bank statement %(reference)s: %(counterparty)s")
            % {"reference": line.statement.reference, "counterparty": line.counterparty}
        ).strip(),
        user=user,
    )
    line.entry = entry
    line.status = BankStatementLine.Status.BOOKED
    line.save(update_fields=["entry", "status"])
    return line


@transaction.atomic
def statement_reconcile(*, statement: BankStatement, user) -> BankStatement:
    """Mark a statement reconciled: every line matched or booked and the closing balance
    equal to the ledger's bank balance up to the statement date. Otherwise say what remains.
    Reconciling twice changes nothing."""
    statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.reconciled_at is not None:
        return statement
    unmatched = statement.lines.filter(status=BankStatementLine.Status.UNMATCHED).count()
    if unmatched:
        raise ValidationError(
            ngettext(
                "%(count)d line of the statement is still unmatched; match it to a payment "
                "or book it first.",
                "%(count)d lines of the statement are still unmatched; match them to "
                "payments or book them first.",
                unmatched,
            )
            % {"count": unmatched}
        )
    ledger = selectors.ledger_bank_balance(
        account_id=statement.bank_account_id, date=statement.date
    )
    if ledger != statement.closing_balance:
        raise ValidationError(
            _(
                "The closing balance %(closing)s differs from the ledger's bank balance on "
                "%(date)s, %(ledger)s, by %(difference)s. Look for payments posted on another "
                "date or bookings missing from the ledger."
            )
            % {
                "closing": format_money(statement.closing_balance),
                "date": format_date(statement.date),
                "ledger": format_money(ledger),
                "difference": format_money(statement.closing_balance - ledger),
            }
        )
    statement.reconciled_at = timezone.now()
    statement.reconciled_by = user
    statement.save(update_fields=["reconciled_at", "reconciled_by", "updated_at"])
    return statement
