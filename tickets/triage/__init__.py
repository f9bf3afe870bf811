"""Urgency and routing: the pure score (urgency), what it reads (selectors), which team a claim goes to
(routing) and the writes that re-score a claim or change routing rules (services)."""
