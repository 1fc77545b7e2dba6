"""HR's models, one module per sub-domain; everything is importable from ``hr.models``."""

from hr.models.absences import Absence, CarryOverExtension
from hr.models.core import Department, Employee, Position
from hr.models.discipline import DisciplinaryDocument, DisciplinaryRecord, DisciplinaryRecordView
from hr.models.lifecycle import Checklist, ChecklistItem, EmploymentChange, Termination
from hr.models.personnel import PersonnelFile
from hr.models.personnel_file import (
    PersonnelChangeRequest,
    PersonnelDocument,
    PersonnelFileAccess,
)
from hr.models.recruiting import Application, Opening
from hr.models.training import (
    Course,
    Enrolment,
    RequiredTraining,
    TrainingReminder,
    TrainingSession,
)

__all__ = [
    "Application",
    "Checklist",
    "ChecklistItem",
    "Course",
    "Department",
    "DisciplinaryDocument",
    "DisciplinaryRecord",
    "DisciplinaryRecordView",
    "Employee",
    "EmploymentChange",
    "Enrolment",
    "Opening",
    "PersonnelChangeRequest",
    "PersonnelDocument",
    "PersonnelFile",
    "PersonnelFileAccess",
    "Position",
    "RequiredTraining",
    "Termination",
    "TrainingReminder",
    "TrainingSession",
]
__all__ = ["Absence", "CarryOverExtension", "Department", "Employee", "PersonnelFile", "Position"]
