"""Create the role groups from backoffice.roles.ROLES.

Their permissions are set after every migrate (post_migrate, backoffice.apps), because
permissions of apps migrated later only exist then.
"""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from backoffice.roles import ROLES

    group_model = apps.get_model("auth", "Group")
    for name in ROLES:
        group_model.objects.get_or_create(name=name)


def remove_role_groups(apps, schema_editor):
    from backoffice.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_notification"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
