"""HR's models, one module per sub-domain; everything is importable from ``hr.models``."""

from hr.models.core import Department, Employee, Position
from hr.models.lifecycle import Checklist, ChecklistItem, EmploymentChange, Termination
from hr.models.personnel import PersonnelFile

__all__ = [
    "Checklist",
    "ChecklistItem",
    "Department",
    "Employee",
    "EmploymentChange",
    "PersonnelFile",
    "Position",
    "Termination",
]
