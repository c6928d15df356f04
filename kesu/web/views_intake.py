"""The fast intake page. STUB — being built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    return HttpResponse("建设中", status=501)
