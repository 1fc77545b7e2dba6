"""HR's models, one module per sub-domain; everything is importable from ``hr.models``."""

from hr.models.core import Department, Employee, Position
from hr.models.discipline import DisciplinaryDocument, DisciplinaryRecord, DisciplinaryRecordView
from hr.models.personnel import PersonnelFile
from hr.models.training import (
    Course,
    Enrolment,
    RequiredTraining,
    TrainingReminder,
    TrainingSession,
)

__all__ = [
    "Course",
    "Department",
    "DisciplinaryDocument",
    "DisciplinaryRecord",
    "DisciplinaryRecordView",
    "Employee",
    "Enrolment",
    "PersonnelFile",
    "Position",
    "RequiredTraining",
    "TrainingReminder",
    "TrainingSession",
]
