"""Calendar feed tokens are kept as their SHA-256 only: existing tokens are hashed in place, so the feed
URLs already in people's calendar apps keep working, and no copy of the database holds a working URL."""

import hashlib

from django.db import migrations, models


def hash_existing(apps, schema_editor):
    CalendarFeedToken = apps.get_model("directives", "CalendarFeedToken")
    for feed in CalendarFeedToken.objects.only("pk", "token").iterator():
        CalendarFeedToken.objects.filter(pk=feed.pk).update(
            token_hash=hashlib.sha256(feed.token.encode()).hexdigest()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0011_notification_key_one_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeedtoken",
            name="token_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        # Irreversible by nature: a hash does not give the token back.
        migrations.RunPython(hash_existing, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="calendarfeedtoken", name="token"),
        migrations.AlterField(
            model_name="calendarfeedtoken",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
