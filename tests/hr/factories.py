import datetime

import factory
from django.contrib.auth import get_user_model

from hr.models import Department, Employee, Position


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "secret-Passw0rd!")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"Abteilung {n}")
    cost_center = factory.Sequence(lambda n: f"{1000 + n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    title = factory.Sequence(lambda n: f"Sachbearbeiter/in {n}")
    department = factory.SubFactory(DepartmentFactory)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    personnel_number = factory.Sequence(lambda n: f"T{n:06d}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    work_email = factory.LazyAttribute(lambda e: f"{e.personnel_number.lower()}@example.com")
    department = factory.SubFactory(DepartmentFactory)
    employment_type = Employee.EmploymentType.SALARIED
    hire_date = datetime.date(2020, 1, 1)
