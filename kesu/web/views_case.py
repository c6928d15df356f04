"""The case page and its actions: one page to read the case, one POST endpoint to act on it.

Every action goes through a service (kesu.cases.services, kesu.cases.services_comms); a domain
error re-renders the page with the service's Chinese message and the user's input kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kesu.cases.errors import DomainError, NotFound
from kesu.cases.models import Case
from kesu.cases.selectors import case_get
from kesu.web.case_actions import ACTIONS, ANCHORS
from kesu.web.case_context import case_page_context


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_get(request.user, case_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("案件不存在或您无权查看") from None


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    context = case_page_context(request.user, case)  # type: ignore[arg-type]
    return render(request, "web/case/detail.html", {**context, "posted": {}, "failed_action": ""})


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = _case_or_404(request, case_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("未知操作")
    try:
        done = handler(request.user, case, request.POST)  # type: ignore[arg-type]
    except DomainError as exc:
        fresh = _case_or_404(request, case_id)  # the current state, after someone else's change
        context = case_page_context(request.user, fresh)  # type: ignore[arg-type]
        context.update(
            posted=request.POST, failed_action=action, error=exc.message, error_details=exc.details
        )
        return render(request, "web/case/detail.html", context, status=exc.status)
    messages.success(request, done)
    return redirect(f"/cases/{case.pk}/#{ANCHORS.get(action, 'actions')}")
