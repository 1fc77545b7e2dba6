"""After a run is paid: tell each employee with a login that the payslip is there. A payslip's
PDF is rendered when it is first asked for and kept (stored once; two first requests at the
same moment store one file). A run paid before its payday also has its PDFs and cheque run
rendered ahead on the "bulk" queue, so they are ready on payday; a run whose payday has passed
(a past month: the demo seeding pays eleven of them) queues nothing."""

from __future__ import annotations

import logging
import time

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from backoffice.services import notify
from backoffice.stored_text import stored
from payroll.models import PayrollRun, Payslip
from payroll.pdf import payslip_contexts, render_cheques_pdf, render_payslip_pdf

logger = logging.getLogger(__name__)
PDF_BATCH = 200


def payday_publish(*, run_id: int) -> int:
    run = PayrollRun.objects.select_related("period").get(pk=run_id)
    if run.status != PayrollRun.Status.PAID:
        return 0
    if run.period.payday >= timezone.localdate():
        _pdfs_queue(run.pk)
    users = list(
        get_user_model()
        .objects.filter(is_active=True, employee__payslips__run=run)
        .exclude(notifications__link=f"/payroll/my/payslips/?run={run.pk}")
        .distinct()
    )
    if users:
        notify(
            users=users,
            subject=stored(
                gettext_noop("Your payslip for %(period)s is ready"), period=run.period.as_text()
            ),
            body=stored(
                gettext_noop("Payday is %(payday)s. Open your payslips to download the PDF."),
                payday=run.period.payday,
            ),
            link=f"/payroll/my/payslips/?run={run.pk}",
        )
    return len(users)


def _pdfs_queue(run_id: int) -> None:
    from payroll.tasks import cheques_pdf_render, payslip_pdfs_render

    def send():
        cheques_pdf_render.delay(run_id)
        payslip_pdfs_render.delay(run_id)

    transaction.on_commit(send)


def _payslip_pdf_name(slip: Payslip) -> str:
    return f"payslip-{slip.run_id}-{slip.employee_id}.pdf"


def payslip_pdf_store(*, payslip: Payslip, context: dict | None = None) -> Payslip:
    """Render and store a published payslip's PDF unless one is stored already. Idempotent:
    two workers (or a worker and a download) may render at once; the first to store wins.
    ``context``: the payslip's from ``payroll.pdf.payslip_contexts`` of a batch."""
    if payslip.pdf:
        return payslip
    data = render_payslip_pdf(payslip, context=context)
    with transaction.atomic():
        slip = Payslip.objects.select_for_update().get(pk=payslip.pk)
        if slip.pdf or slip.published_at is None:
            return slip
        slip.pdf.save(_payslip_pdf_name(slip), ContentFile(data), save=False)
        slip.save(update_fields=["pdf"])
    return slip


def payslip_pdf_bytes(*, payslip: Payslip) -> bytes:
    """The stored PDF; otherwise rendered now, and stored when the payslip is published (a
    payslip of a run not yet paid may still be calculated again, so it is not kept)."""
    if not payslip.pdf and payslip.published_at is not None:
        payslip = payslip_pdf_store(payslip=payslip)
    if payslip.pdf:
        with payslip.pdf.open("rb") as handle:
            return handle.read()
    return render_payslip_pdf(payslip)


def payslip_pdfs_render(
    *, run_id: int, after_id: int = 0, limit: int = PDF_BATCH, deadline: float | None = None
) -> tuple[int, int | None]:
    """Render the missing PDFs of a paid run, in id order after ``after_id``, at most ``limit``
    and none started after ``deadline`` (``time.monotonic()``). Returns the number stored and
    the id to continue after, or None when the run is done. A payslip that fails (a time-box,
    a rendering error) is logged and skipped; its download renders it on demand."""
    rows = list(
        Payslip.objects.filter(
            run_id=run_id,
            run__status=PayrollRun.Status.PAID,
            published_at__isnull=False,
            pdf="",
            pk__gt=after_id,
        ).order_by("pk")[: limit + 1]
    )
    stored = 0
    last = after_id
    # What the PDFs show (personal fields, year-to-date totals) is read once for the batch.
    contexts = payslip_contexts(rows[:limit])
    for slip in rows[:limit]:
        if deadline is not None and time.monotonic() > deadline:
            return stored, last
        try:
            payslip_pdf_store(payslip=slip, context=contexts.get(slip.pk))
        except Exception:
            logger.exception("payslip %s: PDF not rendered", slip.pk)
        else:
            stored += 1
        last = slip.pk
    return stored, (last if len(rows) > limit else None)


def cheques_pdf_store(*, run_id: int) -> bool:
    """Render and store a paid run's cheque run once. False when there is nothing to do."""
    run = PayrollRun.objects.get(pk=run_id)
    if run.status != PayrollRun.Status.PAID or run.cheques_pdf or not run.cheques.exists():
        return False
    data = render_cheques_pdf(run)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run_id)
        if run.cheques_pdf:
            return False
        run.cheques_pdf.save(f"cheques-{run.pk}.pdf", ContentFile(data), save=False)
        run.save(update_fields=["cheques_pdf", "updated_at"])
    return True


def cheques_pdf_bytes(*, run: PayrollRun) -> bytes | None:
    """The stored cheque run, rendered and stored first if missing; None without cheques or
    before the run is paid."""
    if not run.cheques_pdf:
        cheques_pdf_store(run_id=run.pk)
        run = PayrollRun.objects.get(pk=run.pk)
    if not run.cheques_pdf:
        return None
    with run.cheques_pdf.open("rb") as handle:
        return handle.read()
