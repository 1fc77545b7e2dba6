"""CSV import and export of HR records (django-import-export): column mapping only."""

from import_export import fields
from import_export.widgets import ForeignKeyWidget

from backoffice.imports import WholeFileModelResource
from hr.models import Department, Employee, Position


class DepartmentResource(WholeFileModelResource):
    parent = fields.Field(
        column_name="parent", attribute="parent", widget=ForeignKeyWidget(Department, "code")
    )
    head = fields.Field(
        column_name="head",
        attribute="head",
        widget=ForeignKeyWidget(Employee, "personnel_number"),
    )

    class Meta:
        model = Department
        import_id_fields = ["code"]
        fields = ["code", "name", "parent", "head", "cost_center"]
        clean_model_instances = True
        skip_unchanged = True


class EmployeeResource(WholeFileModelResource):
    department = fields.Field(
        column_name="department",
        attribute="department",
        widget=ForeignKeyWidget(Department, "code"),
    )
    position = fields.Field(
        column_name="position", attribute="position", widget=ForeignKeyWidget(Position, "pk")
    )
    manager = fields.Field(
        column_name="manager",
        attribute="manager",
        widget=ForeignKeyWidget(Employee, "personnel_number"),
    )

    class Meta:
        model = Employee
        import_id_fields = ["personnel_number"]
        fields = [
            "personnel_number",
            "first_name",
            "last_name",
            "work_email",
            "phone",
            "department",
            "position",
            "manager",
            "employment_type",
            "hire_date",
            "termination_date",
            "status",
        ]
        clean_model_instances = True
        skip_unchanged = True
        use_bulk = False

    def get_export_queryset(self, request=None):
        return Employee.objects.select_related("department", "position", "manager")
