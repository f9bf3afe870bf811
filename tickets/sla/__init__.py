"""Service-level agreements, by reason to change:

- ``policies``: the policies (data) and their per-process cache;
- ``clock``: due times, pause and resume, and THE next-check rule (``thresholds``/``next_check``), with
  ``sla_schedule``, the one writer of the ``SlaCheck`` side table; knows nothing of call-backs or alerts;
- ``sweep``: the every-minute sweep that records each crossing once, escalates and calls back;
- ``alerts``: who is told of a crossing.

Import the module you need (``from tickets.sla.clock import sla_start``): this package re-exports nothing,
so importing the clock never loads the sweep and its call-back and notification dependencies.
"""
