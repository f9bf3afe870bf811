"""Nothing promised is lost: real Redis, real PostgreSQL, real worker processes.

- The broker is down while claims are filed: the outbox rows wait in the database, and every customer gets
  their notification and email once the broker is back (the periodic relay run), exactly once.
- A worker is SIGKILLed in the middle of sending: the e-mail row it leased stays leased until its lease
  runs out, the task is redelivered (acks_late + visibility timeout), leases it again and the email goes
  out once.
"""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest
from kombu.exceptions import OperationalError

from helpdesk import notifications, outbox, tasks
from helpdesk.celery import app
from helpdesk.models import Notification, OutboxMessage
from tests.factories import UserFactory, claim_platform
from tests.support.slow_email import SENDING
from tests.support.waiting import wait_until
from tests.support.worker import drain, start_worker, stop_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CONTEXT = {"reference": "XY-20261201-ABCDEF", "platform": "星云卡盟", "subject": "A1-充值未到账-P1"}


def sent_emails(folder: Path) -> int:
    return sum(p.read_text(errors="replace").count("\nSubject: ") for p in folder.glob("*.log"))


def run_relay_via_broker(queue: str) -> None:
    """What beat does every few seconds: send the relay task through the real broker."""
    with app.connection_for_write() as conn:
        tasks.outbox_relay.apply_async(queue=queue, connection=conn)


def test_broker_down_while_filing_then_everything_is_delivered_once(
    postgres, redis_url, tmp_path, settings, monkeypatch
):
    settings.OUTBOX_KICK_ON_COMMIT = True

    def broker_down(task_name: str) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "_send_task", broker_down)
    from tests.support.tickets import claim_input, ensure_problem_types
    from tickets.claims.services import claim_create

    ensure_problem_types()
    platform = claim_platform()
    people = UserFactory.create_batch(3)
    for person in people:  # three claims filed, each commit kicking a relay that cannot be reached
        claim_create(customer=person, data=claim_input(platform))
    assert OutboxMessage.objects.filter(event="claim.filed", dispatched_at__isnull=True).count() == 3
    assert not Notification.objects.exists()

    mail_dir = tmp_path / "mail"
    queue = f"rel-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        queue=queue,
        broker_url=redis_url,
        var_dir=tmp_path,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        },
    )
    try:
        run_relay_via_broker(queue)
        assert wait_until(lambda: sent_emails(mail_dir) >= 3, timeout=60, process=worker)
        run_relay_via_broker(queue)  # a second beat tick (or a second beat by mistake)
        run_relay_via_broker(queue)
        assert wait_until(
            lambda: not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists(), timeout=30
        )
        drain(queue=queue, broker_url=redis_url, worker=worker)  # both extra ticks ran; nothing is left
    finally:
        stop_worker(worker)
    assert Notification.objects.count() == 3
    assert sent_emails(mail_dir) == 3


def test_a_worker_killed_mid_send_still_sends_exactly_once(postgres, redis_url, tmp_path):
    person = UserFactory()
    notifications.notify(user_ids=[person.pk], event="claim.filed", context=CONTEXT)
    mail_dir = tmp_path / "mail"
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    common = {
        "EMAIL_BACKEND": "tests.support.slow_email.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_VISIBILITY_TIMEOUT": "3s",
        # The killed run's e-mail row stays leased this long; the redelivered task then takes it again.
        "OUTBOX_LEASE": "2s",
    }
    first = start_worker(
        queue=queue, broker_url=redis_url, var_dir=tmp_path, extra_env={**common, "SLOW_EMAIL_SECONDS": "30"}
    )
    try:
        run_relay_via_broker(queue)
        # The fan-out commits (bell entry + email row), then the worker sits in the slow email send.
        email_row = OutboxMessage.objects.filter(event="notification.email")
        assert wait_until(email_row.exists, timeout=60, process=first)
        assert wait_until((mail_dir / SENDING).exists, timeout=60, process=first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop_worker(first)
    assert sent_emails(mail_dir) == 0
    assert email_row.get().dispatched_at is None

    second = start_worker(
        queue=queue, broker_url=redis_url, var_dir=tmp_path, extra_env={**common, "SLOW_EMAIL_SECONDS": "0"}
    )
    try:
        # No new task is sent: the killed worker's unacknowledged task comes back by itself.
        delivered = wait_until(lambda: sent_emails(mail_dir) >= 1, timeout=60, process=second)
        assert delivered, "the unacknowledged task was not redelivered"
        drain(queue=queue, broker_url=redis_url, worker=second)  # nothing left that could send it again
    finally:
        stop_worker(second)
    assert sent_emails(mail_dir) == 1
    assert email_row.get().dispatched_at is not None
    assert Notification.objects.filter(user=person).count() == 1
