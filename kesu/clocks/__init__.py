"""Regulatory clocks (监管时限): rule sets, working-day calendars and clock computation.

The pure core lives in `workdays`, `rules` and `compute` (no Django); the app's models, services
and worker build on it.
"""
