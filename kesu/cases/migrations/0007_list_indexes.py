"""Indexes for the case list's tab counts and pages (issue 3)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "unit_path", "due_at"], name="case_due_scope_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=[
                    *("received_at", "id", "unit_path", "status", "owner", "transfer_to", "risk_level"),
                    *("channel", "customer_type", "escalation_level", "due_at"),
                ],
                name="case_list_idx",
            ),
        ),
    ]
