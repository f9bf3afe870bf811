"""Hostile inputs for the checker, generated from templates against the demo directory's official domains.

Each template is filled with official hosts (``{o}``) and attacker hosts (``{e}``); the cross product gives
the corpus. The expected answer is NOT written here: the test computes it from the WHATWG parser (ada-url)
for links, and from the delivery domain for e-mail addresses. Phone lines carry the canonical number they
must be read as.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

# Hosts under the demo directory's official domains (xingyunka.cn and lanjingka.com, subdomains included).
OFFICIAL_HOSTS = ("kf.xingyunka.cn", "xingyunka.cn", "www.lanjingka.com")
ATTACKER_HOSTS = ("evil.example", "8evil.example", "xingyunka-kefu.com", "kf.xingyunka.cn.verify.top")

URL_TEMPLATES = (
    # backslashes: a slash in http(s) URLs, so what follows is the path
    "https://{e}\\@{o}/chat",
    "https://{e}\\{o}/",
    "https:\\\\{e}\\@{o}",
    "http:/\\{e}\\@{o}/",
    "{e}\\@{o}/chat",
    "https://{o}\\@{e}/",
    "https://{o}\\{e}",
    # user info: the host is after the LAST "@" of the authority
    "https://{o}@{e}/",
    "https://{o}:443@{e}/chat",
    "https://user:{o}@{e}",
    "https://a@{o}@{e}/",
    "user:pass@{o}@{e}",
    "https://{e}@{o}/chat",
    "https://{o}%2F@{e}/",
    "https://{o}／@{e}/",
    "https://{o}＃@{e}",
    # "@" in the query or fragment does not move the host
    "https://{o}/?next=@{e}",
    "https://{o}#@{e}",
    "https://{o}/login@{e}",
    "https://{e}/?@{o}",
    "https://{e}#@{o}",
    "https://{e}/{o}",
    # ideographic and full-width full stops are dots of the host
    "https://{o}。{e}/chat",
    "{o}。{e}/chat",
    "https://{o}｡{e}",
    "{o}．{e}",
    "https://{o}%2E{e}/",
    "https://{o}.{e}/",
    # ports
    "https://{o}:8443/chat",
    "{o}:8080/chat",
    "https://{o}:99999/",
    "https://{o}:abc@{e}/",
    # tabs and line breaks, which WHATWG removes
    "https://{o}\t.{e}/",
    "https://{o}\n@{e}",
    "ht\ttps://{o}/",
    "https://\n{o}/chat",
    # other schemes never open a web site
    "javascript:alert('{o}')",
    "javascript://{o}/%0Aalert(1)",
    "data:text/html,<a href=https://{o}>{o}</a>",
    "ws://{o}/",
    "https:{e}/{o}",
    # trailing dots, case
    "https://{o}./",
    "https://{o}../",
    "HTTPS://{O}/CHAT",
    "hTTp://{O}",
)

# Templates that only make sense once (they carry their own hosts or break them up).
URL_SINGLES = (
    "https://kf%2Exingyunka%2Ecn/",
    "https://%6Bf.xingyunka.cn/chat",
    "https://kf.xingyunka.cn%40evil.example/",
    "https://kf.xingyunka.cn%2eevil.example/",
    "https://xingyunka。cn/",
    "https://kf．xingyunka．cn/chat",
    "https://ｋｆ.ｘｉｎｇｙｕｎｋａ.ｃｎ/chat",
    "https://kf.xing\tyunka.cn/",
    "https://kf.xingyunka\n.cn/",
    "https://kf.xingyunka.cn\t@evil.example/",
    "http://0x7f.1/kf.xingyunka.cn",
    "http://2130706433/?kf.xingyunka.cn",
    "http://0177.0.0.1/#kf.xingyunka.cn",
    "http://127.1/@kf.xingyunka.cn",
    "https://kf.xingyunka.cn@0x7f.1/",
    "https://kf.xingyunka.cn@2130706433/",
    "https://1.2.3.4/xingyunka.cn",
    "http://[::1]/kf.xingyunka.cn",
    "http://[::ffff:127.0.0.1]/@xingyunka.cn",
    "https://xingyunka.cn@[::1]:8080/",
    "https://хingyunka.cn/",  # Cyrillic х
    "https://xingyunkа.cn/",  # Cyrillic а
    "https://xіngyunka.cn/",  # Cyrillic і
    "https://xingyunkα.cn/",  # Greek α
    "https://kf.xingyunka.cn.хingyunka.cn/",
    "https://xn--ingyunka-fdh.cn/",
    "https://星云卡盟.xingyunka.cn/",
    "https://kf.xingyunka.cn.星云.com/",
    "https://xingyunka.cn.中国/",
    "https://kf.xingyunka.cn谢谢.com/",
    "kf.xingyunka.cn谢谢.com",
    "https://lanjingka.com。evil.example/kefu",
    "https://www.lanjingka.com\\@evil.example",
    "https://evil.example\\@www.lanjingka.com/kefu",
    "https://www.lanjingka.com:80@evil.example/",
    "https://ｗｗｗ.lanjingka.com/kefu",
    "https://www.lanjingka.com．/kefu",
    "https://xingyunka.cn:@evil.example",
    "https://:@xingyunka.cn/",
    "https://@evil.example@xingyunka.cn/",
    "https://evil.example?@xingyunka.cn/",
    "https://evil.example#@xingyunka.cn/",
    "https://evil.example;@xingyunka.cn/",
    "https://kf.xingyunka.cn;@evil.example/",
    "https://kf.xingyunka.cn,@evil.example/",
    "https://kf.xingyunka.cn!@evil.example/",
    "https://kf.xingyunka.cn%00.evil.example/",
    "https://kf.xingyunka.cn%0a@evil.example/",
    "JAVASCRIPT:location='https://evil.example'//kf.xingyunka.cn",
    'vbscript:msgbox("xingyunka.cn")',
    "file://kf.xingyunka.cn/etc/passwd",
    "https:kf.xingyunka.cn/chat",
    "https:///kf.xingyunka.cn",
    "https:\\\\kf.xingyunka.cn\\chat",
)

# Letters glued before a scheme-less host, no separator: a phone's linkifier (and a browser given the whole
# string) takes them into the first label. Official only when that longer host is under an official domain.
GLUED_PREFIXES = ("官网", "登录", "请访问", "星云卡盟官方网站", "カード", "카드", "abc官网")
GLUED_HOSTS = ("xingyunka.cn", "kf.xingyunka.cn", "www.lanjingka.com", "lanjingka.com", "xingyunka.cn/chat")

MAIL_TEMPLATES = (
    "kefu@{o}",
    "KEFU@{O}",
    "mailto:kefu@{o}",
    '"kefu@{o}"@{e}',
    '"kefu"@{o}',
    "kefu@{o}%{e}",
    "kefu%{e}@{o}",
    "{e}!kefu@{o}",
    "@{e}:kefu@{o}",
    "kefu@{o}@{e}",
    "kefu(x)@{o}",
    "kefu@{o}.{e}",
    "kefu@{o}。{e}",
    "{o}@{e}",
    "mailto:kefu@{e}?cc=kefu@{o}",
)
MAIL_SINGLES = (
    "kefu@xingyunka。cn",
    "kefu@ｘｉｎｇｙｕｎｋａ.cn",
    "kefu@xn--ingyunka-fdh.cn",
    "kefu@хingyunka.cn",
    "xingyunka.cn@[127.0.0.1]",
    "kefu@xingyunka.cn%2eevil.example",
    'kefu@"xingyunka.cn"',
)


def urls() -> list[str]:
    out: list[str] = []
    for template, official, attacker in product(URL_TEMPLATES, OFFICIAL_HOSTS, ATTACKER_HOSTS):
        if "{e}" not in template and attacker != ATTACKER_HOSTS[0]:
            continue  # one copy of templates without an attacker host
        out.append(template.format(o=official, O=official.upper(), e=attacker))
    out.extend(URL_SINGLES)
    out.extend(prefix + host for prefix, host in product(GLUED_PREFIXES, GLUED_HOSTS))
    return list(dict.fromkeys(out))


def mails() -> list[str]:
    out: list[str] = []
    hosts = ("xingyunka.cn", "kf.xingyunka.cn")
    for template, official, attacker in product(MAIL_TEMPLATES, hosts, ATTACKER_HOSTS[:3]):
        if "{e}" not in template and attacker != ATTACKER_HOSTS[0]:
            continue
        out.append(template.format(o=official, O=official.upper(), e=attacker))
    out.extend(MAIL_SINGLES)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class PhoneLine:
    text: str
    canonical: str
    extension: str = ""


# The demo directory's published numbers as posters print them, and their canonical forms.
NUMBERS = (
    ("400-612-3456", "+864006123456"),
    ("400 612 3456", "+864006123456"),
    ("４００－６１２－３４５６", "+864006123456"),
    ("4006123457", "+864006123457"),
    ("95105-888", "CN:95105888"),
    ("400-820-7788", "+864008207788"),
)
BEFORE = (
    "",
    "客服热线：",
    "客服热线:",
    "【星云卡盟】客服",
    "电话（",
    "Tel: ",
    "☎",
    "官方客服电话 ",
    "「热线」",
)
AFTER = (
    "",
    "（9:00-21:00）",
    "(9:00-21:00)",
    "（24小时）",
    "，工作时间9:00-21:00",
    " 9:00-21:00",
    "（周一至周五 09:00-18:00）",
    "(工作日9-18点)",
    "（09:00~21:00）",
    "[9:00-21:00]",
    "【7x24】",
    "。",
    "；",
    "、",
    "）",
    "/24h",
    "（９：００－２１：００）",
)
EXTENSIONS = (("(转2)", "2"), ("（转2）", "2"), (" 转 8", "8"), ("分机12", "12"), ("（分机号：301）", "301"))


def phones() -> list[PhoneLine]:
    out: list[PhoneLine] = []
    for (number, canonical), before, after in product(NUMBERS, BEFORE, AFTER):
        out.append(PhoneLine(before + number + after, canonical))
    for (number, canonical), before, (extension, digits) in product(NUMBERS[:4], BEFORE[:4], EXTENSIONS):
        out.append(PhoneLine(before + number + extension + "，9:00-21:00", canonical, digits))
    return out
