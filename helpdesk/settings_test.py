"""The test suite's entry to the settings: pytest-django loads this module (pyproject.toml names it as
DJANGO_SETTINGS_MODULE) and nothing else does.

Every value still lives in :mod:`helpdesk.settings`, the one environment-driven settings module; importing it
through this module is what switches on its test defaults (``TESTING``: fast password hashing, in-memory
e-mail and Celery broker, no HTTPS-only cookies or redirects, no start-up delays). Subprocesses a test starts
(a Celery worker, ``manage.py``) drop DJANGO_SETTINGS_MODULE and so run with the real defaults.
"""

from helpdesk.settings import *  # noqa: F403
