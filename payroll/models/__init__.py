"""Payroll models, split by sub-domain."""

from payroll.models.config import DeductionRule, PayrollSettings
from payroll.models.hours import TimeEntry
from payroll.models.profiles import BankDetailsChange, PayProfile
from payroll.models.runs import (
    BankFile,
    Cheque,
    ChequeSequence,
    PayrollChunk,
    PayrollRun,
    Payslip,
    PayslipError,
    PayslipLine,
)
from payroll.models.schedules import PayPeriod, PaySchedule

__all__ = [
    "BankDetailsChange",
    "BankFile",
    "Cheque",
    "ChequeSequence",
    "DeductionRule",
    "PayPeriod",
    "PayProfile",
    "PaySchedule",
    "PayrollChunk",
    "PayrollRun",
    "PayrollSettings",
    "Payslip",
    "PayslipError",
    "PayslipLine",
    "TimeEntry",
]
