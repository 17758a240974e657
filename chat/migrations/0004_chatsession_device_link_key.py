# Adds ChatSession.device_link_key. Existing sessions each get their own random key: a plain
# AddField would evaluate the default once and give every existing row the same key.

import secrets

from django.db import migrations, models


def new_device_link_key():
    # Was chat.ids.new_device_link_key; copied here when 0005 replaced the key with DeviceLink.
    return secrets.token_urlsafe(16)


def give_each_session_a_key(apps, schema_editor):
    ChatSession = apps.get_model("chat", "ChatSession")
    for session in ChatSession.objects.filter(device_link_key__isnull=True).only("pk").iterator():
        ChatSession.objects.filter(pk=session.pk).update(
            device_link_key=new_device_link_key()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_purged_session_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="chatsession",
            name="device_link_key",
            field=models.CharField(
                editable=False, max_length=32, null=True, verbose_name="device link key"
            ),
        ),
        migrations.RunPython(give_each_session_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="chatsession",
            name="device_link_key",
            field=models.CharField(
                default=new_device_link_key,
                editable=False,
                max_length=32,
                verbose_name="device link key",
            ),
        ),
    ]
