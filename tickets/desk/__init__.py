"""The agents' desk: the queue and its search (queue), the workspace page (workspace), agent actions
(services), supervisors' macros and SLA policies (supervisor_*), labels and charts, views, forms, urls."""
