"""Payroll models, split by sub-domain."""

from payroll.models.approvals import PendingChange
from payroll.models.config import CompanyAccountChange, DeductionRule, PayrollSettings
from payroll.models.hours import TimeEntry
from payroll.models.offcycle import OffCycleItem
from payroll.models.profiles import BankDetailsChange, PayProfile, PayProfileChange
from payroll.models.runs import (
    BankFile,
    Cheque,
    ChequeSequence,
    PayrollChunk,
    PayrollChunkLineTotal,
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
    "CompanyAccountChange",
    "DeductionRule",
    "OffCycleItem",
    "PayPeriod",
    "PayProfile",
    "PayProfileChange",
    "PaySchedule",
    "PayrollChunk",
    "PayrollChunkLineTotal",
    "PayrollRun",
    "PayrollSettings",
    "Payslip",
    "PayslipError",
    "PayslipLine",
    "PendingChange",
    "TimeEntry",
]
