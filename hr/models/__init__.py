"""HR's models, one module per sub-domain; everything is importable from ``hr.models``."""

from hr.models.absences import Absence, CarryOverExtension
from hr.models.core import Department, Employee, Position
from hr.models.personnel import PersonnelFile

__all__ = ["Absence", "CarryOverExtension", "Department", "Employee", "PersonnelFile", "Position"]
