from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contacts import canonical


@pytest.mark.parametrize(
    ("raw", "expected", "category"),
    [
        ("400-612-3456", "+864006123456", "number"),
        ("400 612 3456", "+864006123456", "number"),
        ("４００－６１２－３４５６", "+864006123456", "number"),
        ("+86 400 612 3456", "+864006123456", "number"),
        ("010-12345678", "+861012345678", "number"),
        ("138 0013 8000", "+8613800138000", "number"),
        ("95105-888", "CN:95105888", "short_code"),
        ("95588", "CN:95588", "short_code"),
        ("12315", "CN:12315", "short_code"),
        ("10690000123", "CN:10690000123", "sms_sender"),
        ("010-12345678 转 123", "+861012345678;ext=123", "number"),
        ("010-12345678分机8", "+861012345678;ext=8", "number"),
        ("010-12345678 ext. 99", "+861012345678;ext=99", "number"),
        ("010-12345678#7", "+861012345678;ext=7", "number"),
    ],
)
def test_phone_numbers_have_one_canonical_form(raw, expected, category):
    phone = canonical.canonical_phone(raw)
    assert (phone.canonical, phone.category) == (expected, category)


@pytest.mark.parametrize("raw", ["", "abc", "123", "400-612"])
def test_it_rejects_what_is_not_a_phone_number_with_a_message(raw):
    with pytest.raises(ValidationError) as exc:
        canonical.canonical_phone(raw)
    assert exc.value.messages[0]


def test_a_106_sender_is_not_accepted_as_a_hotline():
    with pytest.raises(ValidationError):
        canonical.canonical_value("claims_hotline", "10690000123")
    assert canonical.canonical_value("sms_sender", "106 9000 0123") == "CN:10690000123"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://KF.XingYunKa.cn/chat/", "https://kf.xingyunka.cn/chat"),
        ("kf.xingyunka.cn/chat", "https://kf.xingyunka.cn/chat"),
        ("https://星云卡.cn/", "https://xn--9kq20jh5t.cn"),
        ("http://www.lanjingka.com:80/kefu", "http://www.lanjingka.com/kefu"),
        ("https://www.lanjingka.com:8443/kefu?x=1#frag", "https://www.lanjingka.com:8443/kefu?x=1"),
    ],
)
def test_urls_are_canonical_with_punycode_hosts(raw, expected):
    assert canonical.canonical_url(raw) == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://x.cn/", "https://user:pw@x.cn/", "https://"])
def test_it_rejects_unsafe_or_broken_urls(raw):
    with pytest.raises(ValidationError):
        canonical.canonical_url(raw)


def test_hosts_and_registrable_domains():
    assert canonical.canonical_host("KF.XingYunKa.CN.") == "kf.xingyunka.cn"
    assert canonical.canonical_host("ＷＷＷ.例子.中国") == "www.xn--fsqu00a.xn--fiqs8s"
    assert canonical.registrable_domain("kf.xingyunka.cn") == "xingyunka.cn"
    assert canonical.registrable_domain("a.b.example.com.cn") == "example.com.cn"
    assert canonical.host_matches("kf.xingyunka.cn", "xingyunka.cn", include_subdomains=True)
    assert not canonical.host_matches("kf.xingyunka.cn", "xingyunka.cn", include_subdomains=False)
    assert not canonical.host_matches("evilxingyunka.cn", "xingyunka.cn", include_subdomains=True)


def test_email_wechat_and_qq():
    assert canonical.canonical_email("KeFu@XingYunKa.CN") == "kefu@xingyunka.cn"
    assert canonical.canonical_value("wechat_official_account", "XingYun_KF") == "xingyun_kf"
    assert canonical.canonical_value("qq", "800 123 456") == "800123456"
    for kind, raw in [("email", "not-an-email"), ("wechat_official_account", "1abc"), ("qq", "12")]:
        with pytest.raises(ValidationError):
            canonical.canonical_value(kind, raw)
