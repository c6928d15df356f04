"""The case page and its actions. STUB — being built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return HttpResponse("建设中", status=501)


@login_required
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    return HttpResponse("建设中", status=501)


@login_required
def attachment_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    return HttpResponse("建设中", status=501)


@login_required
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    return HttpResponse("建设中", status=501)
