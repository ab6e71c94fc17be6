"""The documented default escalation policies (docs/escalation.md), one per task priority and one for
obligations. Editable in the admin afterwards; this migration only creates what does not exist."""

import datetime as dt

from django.db import migrations

H = dt.timedelta(hours=1)

# (level, name, offset, notify_assignee, groups, repeat_every)
DEFAULTS = {
    ("task", "P0"): (
        "P0 - critical",
        "Critical work: reminded an hour ahead, then engineering, legal and the executive within four hours.",
        [
            (0, "Reminder: due in 1 hour", -1 * H, True, [], None),
            (1, "Level 1: overdue (assignee and engineering)", 0 * H, True, ["engineering"], None),
            (2, "Level 2: 1 hour overdue (legal)", 1 * H, False, ["legal"], None),
            (3, "Level 3: 4 hours overdue (executive)", 4 * H, False, ["executive"], 4 * H),
        ],
    ),
    ("task", "P1"): (
        "P1 - high",
        "High priority: reminded 4 hours ahead; engineering at due, legal after 4 hours, executive after a day.",
        [
            (0, "Reminder: due in 4 hours", -4 * H, True, [], None),
            (1, "Level 1: overdue (assignee and engineering)", 0 * H, True, ["engineering"], None),
            (2, "Level 2: 4 hours overdue (legal)", 4 * H, False, ["legal"], None),
            (3, "Level 3: 1 day overdue (executive)", 24 * H, False, ["executive"], None),
        ],
    ),
    ("task", "P2"): (
        "P2 - medium",
        "Medium priority: reminded a day ahead; the assignee at due, engineering after a day, legal after 3 days.",
        [
            (0, "Reminder: due in 1 day", -24 * H, True, [], None),
            (1, "Level 1: overdue (assignee)", 0 * H, True, [], None),
            (2, "Level 2: 1 day overdue (engineering)", 24 * H, False, ["engineering"], None),
            (3, "Level 3: 3 days overdue (legal)", 72 * H, False, ["legal"], None),
        ],
    ),
    ("task", "P3"): (
        "P3 - low",
        "Low priority: reminded 3 days ahead; the assignee at due, engineering after 3 days.",
        [
            (0, "Reminder: due in 3 days", -72 * H, True, [], None),
            (1, "Level 1: overdue (assignee)", 0 * H, True, [], None),
            (2, "Level 2: 3 days overdue (engineering)", 72 * H, False, ["engineering"], None),
        ],
    ),
    ("obligation", ""): (
        "Obligations",
        "Legal is reminded a day ahead; at the due instant an obligation not met is marked missed and "
        "escalated to legal and the executive.",
        [
            (0, "Reminder: obligation due in 1 day", -24 * H, False, ["legal"], None),
            (1, "Missed: legal and executive", 0 * H, False, ["legal", "executive"], None),
        ],
    ),
}


def forward(apps, schema_editor):
    Policy = apps.get_model("directives", "EscalationPolicy")
    Step = apps.get_model("directives", "EscalationStep")
    Group = apps.get_model("auth", "Group")
    for (applies_to, priority), (name, description, steps) in DEFAULTS.items():
        if Policy.objects.filter(applies_to=applies_to, priority=priority).exists():
            continue
        policy = Policy.objects.create(
            name=name, applies_to=applies_to, priority=priority, description=description, active=True
        )
        for level, step_name, offset, assignee, groups, repeat in steps:
            step = Step.objects.create(
                policy=policy, level=level, name=step_name, offset=offset, notify_assignee=assignee,
                repeat_every=repeat,
            )
            for group_name in groups:
                step.notify_groups.add(Group.objects.get_or_create(name=group_name)[0])


def backward(apps, schema_editor):
    Policy = apps.get_model("directives", "EscalationPolicy")
    names = [name for name, _, _ in DEFAULTS.values()]
    Policy.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("directives", "0005_escalation_engine"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forward, backward)]
