"""The role groups and the standard audiences exist in every database, not only the demo."""

from django.db import migrations

ROLES = ["legal", "engineering", "executive", "auditor"]
AUDIENCES = [
    ("all-users", "All users", "Everyone who can reach the product", 0),
    ("foreign-nationals", "Foreign nationals", "Users who are not U.S. persons", 1),
    ("domestic-users", "Domestic users", "U.S. persons", 2),
    ("government-agencies", "Government agencies", "Federal agency deployments", 3),
]


def forward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Audience = apps.get_model("directives", "Audience")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for key, name, description, order in AUDIENCES:
        Audience.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0002_timeline_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
