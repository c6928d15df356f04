"""Attachments on the case page: upload (POST, multipart, CSRF) and permission-checked download.

Files are never served from MEDIA_ROOT directly: only this view hands one out, to a user who may
see the case, as a download under its original name. Anyone else gets 404, as for the case itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.models import User
from kesu.cases import intake, workflow
from kesu.cases.errors import DomainError, NotFound
from kesu.cases.models import Case
from kesu.cases.selectors import case_get
from kesu.cases.services_attachments import AUTO, attachments_store


def _case_or_404(user: User, case_id: int) -> Case:
    try:
        return case_get(user, case_id)
    except NotFound:
        raise Http404("案件不存在或您无权查看") from None


@login_required
@require_POST
def attachment_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add one or more files (field `attachments`, kind in `kind`) and go back to the case page."""
    user: User = request.user  # type: ignore[assignment]
    case = _case_or_404(user, case_id)
    if user.role not in workflow.HANDLING:
        messages.error(request, "附件未上传：上传附件须由坐席、投诉专员、主管或消保专员办理")
        return redirect(f"/cases/{case.pk}/#attachments")
    kind = request.POST.get("kind") or AUTO
    files = request.FILES.getlist("attachments") or request.FILES.getlist("file")
    try:
        added = attachments_store(user=user, case=case, files=files, kind=kind)
    except NotFound:
        raise Http404("案件不存在或您无权查看") from None
    except DomainError as exc:
        messages.error(request, f"附件未上传：{exc.message}")
    else:
        listed = "、".join(f"{a.name}（{intake.ATTACHMENT_KINDS[a.kind]}）" for a in added)
        messages.success(request, f"已上传附件：{listed}")
    return redirect(f"/cases/{case.pk}/#attachments")


@login_required
@require_GET
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    """The file as a download (`Content-Disposition: attachment`, original name)."""
    case = _case_or_404(request.user, case_id)  # type: ignore[arg-type]
    att = case.attachments.filter(pk=attachment_id).first()
    if att is None or not att.file:
        raise Http404("附件不存在或文件未保存")
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不在存储中，请联系系统管理员") from None
    response = FileResponse(handle, as_attachment=True, filename=att.name, content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a shared cache
    return response
