"""`{% attachment_card case %}`: the case page's attachment list and upload form.

The accepted kinds and file types come from the code that checks them (`kesu.cases.intake`,
`kesu.cases.services_attachments`), so the form never offers what the server would refuse.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from kesu.cases import intake, workflow
from kesu.cases.models import Case
from kesu.cases.services_attachments import ACCEPTED_HINT, AUTO, EXTENSIONS

register = template.Library()


@register.inclusion_tag("web/intake/_attachments.html", takes_context=True)
def attachment_card(context: template.Context, case: Case) -> dict[str, Any]:
    user = context.get("user")
    return {
        "case": case,
        "attachments": list(case.attachments.select_related("added_by").order_by("added_at", "id")),
        "kinds": [(AUTO, "按文件自动识别"), *intake.ATTACHMENT_KINDS.items()],
        "accept": ",".join(sorted(EXTENSIONS)),
        "accepted_hint": ACCEPTED_HINT,
        "max_mb": settings.KESU_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "can_upload": getattr(user, "role", "") in workflow.HANDLING,
        "csrf_token": context.get("csrf_token"),
    }
