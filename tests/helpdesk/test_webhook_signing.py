"""Against the Standard Webhooks reference test vectors."""

from __future__ import annotations

import pytest

from helpdesk.webhook_signing import generate_secret, headers, sign, verify

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_it_signs_like_the_reference_vector():
    assert (
        sign(secret=VECTOR_SECRET, msg_id=VECTOR_ID, timestamp=VECTOR_TS, body=VECTOR_BODY)
        == VECTOR_SIGNATURE
    )
    # The prefix is optional, as in the reference libraries.
    bare = VECTOR_SECRET.removeprefix("whsec_")
    assert sign(secret=bare, msg_id=VECTOR_ID, timestamp=VECTOR_TS, body=VECTOR_BODY) == VECTOR_SIGNATURE


def _vector_headers(signature: str = VECTOR_SIGNATURE) -> dict[str, str]:
    return {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TS), "webhook-signature": signature}


def test_verification_accepts_the_vector_and_a_multi_signature_header():
    assert verify(secret=VECTOR_SECRET, headers_=_vector_headers(), body=VECTOR_BODY, now=VECTOR_TS)
    multi = (
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
        + (VECTOR_SIGNATURE)
    )
    assert verify(secret=VECTOR_SECRET, headers_=_vector_headers(multi), body=VECTOR_BODY, now=VECTOR_TS)


@pytest.mark.parametrize(
    ("change", "now"),
    [
        ({"webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="}, VECTOR_TS),
        ({"webhook-timestamp": "hello"}, VECTOR_TS),
        ({}, VECTOR_TS + 301),
        ({}, VECTOR_TS - 301),
    ],
)
def test_verification_rejects_bad_signatures_and_stale_timestamps(change, now):
    assert not verify(
        secret=VECTOR_SECRET, headers_={**_vector_headers(), **change}, body=VECTOR_BODY, now=now
    )


def test_a_tampered_body_fails():
    assert not verify(secret=VECTOR_SECRET, headers_=_vector_headers(), body='{"test": 1}', now=VECTOR_TS)


def test_rotation_signs_with_both_secrets():
    old, new = generate_secret(), generate_secret()
    signed = headers(secrets_=[new, old], msg_id="msg_1", timestamp=VECTOR_TS, body="{}")
    assert verify(secret=old, headers_=signed, body="{}", now=VECTOR_TS)
    assert verify(secret=new, headers_=signed, body="{}", now=VECTOR_TS)
    assert len(signed["webhook-signature"].split()) == 2
