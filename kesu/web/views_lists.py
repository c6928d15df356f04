"""Case lists (mine, my unit's, due soon, overdue, escalated), filters, search, Excel export.

STUB — being built.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("建设中", status=501)


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    return HttpResponse("建设中", status=501)
