# Session credentials (issue 8): the hash of an API access token and the end of a session on
# ChatSession, and device links as rows (DeviceLink) instead of links signed with a per-session
# key. Links made before this migration carried the session id and stop working; browsers'
# cookies change format (chat.credentials), so browsers start a new conversation once.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0004_chatsession_device_link_key'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='chatsession',
            name='device_link_key',
        ),
        migrations.AddField(
            model_name='chatsession',
            name='access_token_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, verbose_name='access token hash'),
        ),
        migrations.AddField(
            model_name='chatsession',
            name='ended_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='ended'),
        ),
        migrations.CreateModel(
            name='DeviceLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True, verbose_name='token hash')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='device_links', to='chat.chatsession')),
            ],
            options={
                'verbose_name': 'device link',
                'verbose_name_plural': 'device links',
                'ordering': ['session', '-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='device_link_expires_after')],
            },
        ),
    ]
