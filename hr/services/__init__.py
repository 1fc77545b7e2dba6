"""HR's writes, one module per sub-domain; the public ones are importable from ``hr.services``."""

from hr.services.employees import (
    employee_hire,
    employee_terminate,
    logins_of_terminated_deactivate,
)

__all__ = ["employee_hire", "employee_terminate", "logins_of_terminated_deactivate"]
