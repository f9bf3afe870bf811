"""Call-backs: promises to phone the customer (on request, for high-value claims, for breached urgent
ones), their attempts and the caller id from the directory's published call-back line.

- ``services``: every write (request, create, attempts, cancellation on status change, the overdue sweep);
- ``selectors``: reads (the verified phone, a claim's pending call-back, an agent's list).

Import the module you need; this package re-exports nothing.
"""
