"""The personnel file in the admin, for HR managers (ADMIN_REACH "hr.personnelfile").

Every opening of a file's change page is logged like a look at the file page."""

from django import forms
from django.contrib import admin
from django.core import validators

from hr.models import PersonnelFile
from hr.personnel_validators import social_insurance_number_compact, tax_id_compact
from hr.selectors.personnel_file import HR_PARTS
from hr.services.personnel_file import personnel_file_access_record


class PersonnelFileForm(forms.ModelForm):
    class Meta:
        model = PersonnelFile
        fields = [  # noqa: RUF012 - Django's Meta
            "employee",
            *PersonnelFile.ADDRESS_FIELDS,
            "birth_date",
            *PersonnelFile.TAX_FIELDS,
            "contract_type",
            "weekly_hours",
            "contract_start",
            "probation_end",
            "fixed_term_end",
            "notice_period",
            "vacation_days_per_year",
            *PersonnelFile.EMERGENCY_CONTACT_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed with spaces ("36 574 261 809") is fine: the clean methods compact the value
        # before the model's own checks (length, check digit).
        for name, length in (("tax_id", 20), ("social_insurance_number", 20)):
            field = self.fields[name]
            field.max_length = length
            field.widget.attrs["maxlength"] = str(length)
            field.validators = [
                v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
            ]

    def clean_tax_id(self):
        return tax_id_compact(self.cleaned_data.get("tax_id", ""))

    def clean_social_insurance_number(self):
        return social_insurance_number_compact(self.cleaned_data.get("social_insurance_number", ""))


@admin.register(PersonnelFile)
class PersonnelFileAdmin(admin.ModelAdmin):
    form = PersonnelFileForm
    list_display = ["employee", "city", "tax_class", "contract_type", "probation_end"]
    list_select_related = ["employee"]
    list_filter = ["contract_type", "tax_class"]
    search_fields = ["employee__personnel_number", "employee__last_name", "employee__first_name"]
    autocomplete_fields = ["employee"]
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["employee"]}),
        (
            "personal",
            {"fields": ["street", "postal_code", "city", "country", "birth_date"]},
        ),
        (
            "tax",
            {"fields": ["tax_id", "tax_class", "church_tax", "social_insurance_number"]},
        ),
        (
            "contract",
            {
                "fields": [
                    "contract_type",
                    "weekly_hours",
                    "contract_start",
                    "probation_end",
                    "fixed_term_end",
                    "notice_period",
                    "vacation_days_per_year",
                ]
            },
        ),
        (
            "emergency",
            {
                "fields": [
                    "emergency_contact_name",
                    "emergency_contact_phone",
                    "emergency_contact_relation",
                ]
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        from hr.models import PersonnelFileAccess

        labels = dict(PersonnelFileAccess.Part.choices)
        return [(labels.get(name, name), opts) for name, opts in self.fieldsets]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 0) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                personnel_file_access_record(
                    viewer=request.user, employee=obj.employee, parts=HR_PARTS - {"documents"}
                )
        return response
