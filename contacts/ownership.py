"""Which domains a platform could own outright: the one home of the rule for official domains and websites.

An official domain makes every address under it "official" in the checker, so it must be a registrable
domain that one company registers at a registrar and controls alone. Refused:

- a public suffix itself, from the ICANN or the PRIVATE section of the Public Suffix List (``com.cn``,
  ``github.io``, ``vercel.app``): anyone can register a name under it;
- anything under a private-section suffix (``xingyun.github.io``, ``kf.pages.dev``): a free subdomain of a
  hosting service, which an account holder (or whoever takes the account over) controls, not a registrant;
- shared hosts that the list does not mark (``SHARED_HOSTS``): link shorteners, blog, document and
  mini-site hosts and the big platforms' page hosts, where anyone can publish under the same domain;
- IP addresses and names whose top-level domain is not in the ICANN section.

Pure functions (the bundled list, no network); ``contacts.models`` turns ``SHARED_HOSTS`` into a check
constraint on official domains, so the database refuses them too.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from publicsuffixlist import PublicSuffixList

# Exact hosts; each also covers its subdomains. Keep sorted; a change here needs a migration (the check
# constraint on contacts_officialdomain is built from this tuple, and `makemigrations --check` notices).
SHARED_HOSTS: tuple[str, ...] = (
    # link shorteners
    "bit.ly",
    "dwz.cn",
    "goo.gl",
    "is.gd",
    "ow.ly",
    "suo.im",
    "t.cn",
    "t.co",
    "t.ly",
    "tinyurl.com",
    "u.nu",
    "url.cn",
    # blogs, documents, forms and free sites
    "blog.163.com",
    "blog.csdn.net",
    "blog.sina.com.cn",
    "blog.sohu.com",
    "blogspot.com",
    "docs.google.com",
    "docs.qq.com",
    "feishu.cn",
    "gitee.io",
    "github.io",
    "jianshu.com",
    "jimdosite.com",
    "jinshuju.net",
    "kdocs.cn",
    "larksuite.com",
    "lofter.com",
    "mikecrm.com",
    "mp.weixin.qq.com",
    "netlify.app",
    "notion.site",
    "pages.dev",
    "qzone.qq.com",
    "shimo.im",
    "sites.google.com",
    "vercel.app",
    "weebly.com",
    "wixsite.com",
    "wjx.cn",
    "wordpress.com",
    "yuque.com",
    "zhihu.com",
    # cloud storage buckets (anyone can create one under these names)
    "aliyuncs.com",
    "bcebos.com",
    "clouddn.com",
    "myqcloud.com",
    "qiniudn.com",
    # code hosts and big platforms whose pages anyone can open
    "baijiahao.baidu.com",
    "bilibili.com",
    "douban.com",
    "douyin.com",
    "gitee.com",
    "github.com",
    "kuaishou.com",
    "pan.baidu.com",
    "taobao.com",
    "tieba.baidu.com",
    "tmall.com",
    "toutiao.com",
    "weibo.com",
    "wenku.baidu.com",
    "xiaohongshu.com",
)


@lru_cache(maxsize=1)
def _full_list() -> PublicSuffixList:
    return PublicSuffixList()  # ICANN + PRIVATE sections, bundled


@lru_cache(maxsize=1)
def _icann_list() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def _display(host: str) -> str:
    import idna

    try:
        return str(idna.decode(host))
    except idna.IDNAError:
        return host


def shared_host_of(host: str) -> str:
    """The ``SHARED_HOSTS`` entry ``host`` is, or is under; "" when none."""
    return next((s for s in SHARED_HOSTS if host == s or host.endswith("." + s)), "")


def refusal(host: str) -> str:
    """Why ``host`` (canonical: lower-case punycode) can never be official; "" when it could be."""
    shown = _display(host)
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return str(_("An IP address cannot be an official domain; enter the platform's domain name."))
    full, icann = _full_list(), _icann_list()
    if icann.privatesuffix(host) is None and not full.is_public(host):
        return str(_("“%(host)s” does not end in a known top-level domain.") % {"host": shown})
    if full.is_public(host):
        return str(
            _(
                "“%(host)s” is a public suffix: anyone can register names under it, so it can never be an "
                "official domain."
            )
            % {"host": shown}
        )
    suffix = full.publicsuffix(host) or ""
    if full.privatesuffix(host) != icann.privatesuffix(host):
        return str(
            _(
                "“%(host)s” is a free subdomain of a hosting service (%(suffix)s): whoever holds that "
                "account controls it, so it can never be an official domain."
            )
            % {"host": shown, "suffix": suffix}
        )
    shared = shared_host_of(host)
    if shared:
        return str(
            _(
                "“%(host)s” is on %(shared)s, a shared site (link shortener, blog, document or page host) "
                "where anyone can publish, so it can never be an official domain."
            )
            % {"host": shown, "shared": shared}
        )
    return ""


def require_ownable(host: str, *, field: str = "domain") -> None:
    """ValidationError (for ``field``) unless ``host`` is a domain a platform could own outright."""
    reason = refusal(host)
    if reason:
        raise ValidationError({field: [reason]}, code="not_ownable")
