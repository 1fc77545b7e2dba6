"""Payments: create, approve by a second person (which posts them), cancel; and the reads the
payment pages need.

Approval posts one entry through the journal: outgoing debits the counter account (payables)
and credits the bank; incoming debits the bank and credits the counter account (receivables).
The entry is dated on the payment's due date, the day the money moves.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from accounting.models import Account, Payment
from accounting.services.ledger import Line, journal_entry_post
from backoffice.money import round_money


def _iban_clean(value: str) -> str:
    try:
        return IBAN(value or "").compact
    except SchwiftyException as exc:
        raise ValidationError(
            {
                "iban": _("“%(value)s” is not a valid IBAN (%(reason)s).")
                % {"value": (value or "")[:40], "reason": exc}
            }
        ) from exc


def _bic_clean(value: str) -> str:
    value = (value or "").replace(" ", "").upper()
    if not value:
        return ""
    try:
        return str(BIC(value))
    except SchwiftyException as exc:
        raise ValidationError(
            {
                "bic": _("“%(value)s” is not a valid BIC (%(reason)s).")
                % {"value": value[:20], "reason": exc}
            }
        ) from exc


def _amount_clean(value) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValidationError({"amount": _("The amount must be a decimal number.")})
    if value <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if round_money(value) != value:
        raise ValidationError({"amount": _("The amount has more than two decimal places.")})
    return value


def payment_create(
    *,
    direction: str,
    counterparty: str,
    iban: str,
    bic: str = "",
    amount: Decimal,
    due_date: datetime.date,
    reference: str = "",
    bank_account: Account,
    counter_account: Account,
    department=None,
    user,
    source: str | None = None,
) -> Payment:
    """Record a payment awaiting approval. With a ``source`` (another app's idempotency key),
    asking again returns the payment created the first time."""
    if source:
        existing = Payment.objects.filter(source=source).first()
        if existing is not None:
            return existing
    errors: dict[str, list] = {}
    cleaned: dict[str, object] = {}
    for name, clean, value in (
        ("iban", _iban_clean, iban),
        ("bic", _bic_clean, bic),
        ("amount", _amount_clean, amount),
    ):
        try:
            cleaned[name] = clean(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not getattr(bank_account, "is_bank", False):
        errors["bank_account"] = [_("Choose a bank account (an account marked as bank).")]
    elif not bank_account.active:
        errors["bank_account"] = [
            _("The bank account %(account)s is inactive.") % {"account": bank_account.number}
        ]
    if counter_account is not None and counter_account.is_bank:
        errors["counter_account"] = [
            _("The counter account cannot be a bank account; use payables or receivables.")
        ]
    elif counter_account is not None and not counter_account.active:
        errors["counter_account"] = [
            _("The account %(account)s is inactive.") % {"account": counter_account.number}
        ]
    if errors:
        raise ValidationError(errors)

    payment = Payment(
        direction=direction,
        counterparty=(counterparty or "").strip(),
        iban=cleaned["iban"],
        bic=cleaned["bic"],
        amount=cleaned["amount"],
        due_date=due_date,
        reference=(reference or "").strip(),
        bank_account=bank_account,
        counter_account=counter_account,
        department=department,
        source=source or None,
        created_by=user,
    )
    payment.full_clean()
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # Two requests with the same source at once: the other one won.
        if source:
            return Payment.objects.get(source=source)
        raise
    return payment


def payment_is_own(*, payment: Payment, user) -> bool:
    """The four-eyes rule: whoever created a payment cannot approve it."""
    return user is None or payment.created_by_id == user.pk


@transaction.atomic
def payment_approve(*, payment: Payment, user) -> Payment:
    """Approve a payment awaiting approval and post it. Its creator cannot approve it.
    Approving a payment that is already posted changes nothing and returns it."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.POSTED:
        return payment
    if payment.status != Payment.Status.DRAFT:
        raise ValidationError(
            _("Only a payment awaiting approval can be approved; this one is %(status)s.")
            % {"status": payment.get_status_display()}
        )
    if payment_is_own(payment=payment, user=user):
        raise ValidationError(
            _("Whoever created a payment cannot approve it; ask a second person to approve it.")
        )
    amount = payment.amount
    counter = Line(
        account=payment.counter_account_id,
        side="D" if payment.direction == Payment.Direction.OUTGOING else "C",
        amount=amount,
        department=payment.department_id,
        memo=payment.reference,
    )
    bank = Line(
        account=payment.bank_account_id,
        side="C" if payment.direction == Payment.Direction.OUTGOING else "D",
        amount=amount,
        memo=payment.reference,
    )
    memo = _("Payment %(counterparty)s %(reference)s") % {
        "counterparty": payment.counterparty,
        "reference": payment.reference,
    }
    entry = journal_entry_post(
        date=payment.due_date,
        lines=[counter, bank] if counter.side == "D" else [bank, counter],
        source=f"accounting.payment:{payment.pk}",
        memo=memo.strip(),
        user=user,
    )
    payment.status = Payment.Status.POSTED
    payment.approved_by = user
    payment.approved_at = timezone.now()
    payment.entry = entry
    payment.save(update_fields=["status", "approved_by", "approved_at", "entry", "updated_at"])
    return payment


@transaction.atomic
def payment_cancel(*, payment: Payment, user) -> Payment:
    """Cancel a payment awaiting approval. A posted payment is corrected by a reversal, not
    cancelled. Cancelling twice changes nothing."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.CANCELLED:
        return payment
    if payment.status != Payment.Status.DRAFT:
        raise ValidationError(
            _(
                "Only a payment awaiting approval can be cancelled; a posted payment is "
                "corrected by reversing its entry."
            )
        )
    payment.status = Payment.Status.CANCELLED
    payment.save(update_fields=["status", "updated_at"])
    return payment
