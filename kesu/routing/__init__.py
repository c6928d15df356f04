"""kesu.routing — escalation and routing (domain.md step 4).

The pure core (`ladder`, `escalation`, `assign`) decides which level a case belongs at, why, who
must be told and who may take it; it imports nothing from Django. The Django app around it
(models, services, admin) stores the organisation's ladder and policy and records every
escalation with its reason.
"""
