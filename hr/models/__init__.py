"""HR's models, one module per sub-domain; everything is importable from ``hr.models``."""

from hr.models.core import Department, Employee, Position
from hr.models.lifecycle import Checklist, ChecklistItem, EmploymentChange, Termination
from hr.models.personnel import PersonnelFile
from hr.models.personnel_file import (
    PersonnelChangeRequest,
    PersonnelDocument,
    PersonnelFileAccess,
)

__all__ = [
    "Checklist",
    "ChecklistItem",
    "Department",
    "Employee",
    "EmploymentChange",
    "PersonnelChangeRequest",
    "PersonnelDocument",
    "PersonnelFile",
    "PersonnelFileAccess",
    "Position",
    "Termination",
]
