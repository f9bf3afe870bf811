"""Demo help articles: every problem type on the demo platforms, in Chinese and English, for frightened
people who are not technical. Every contact comes from the directory through [[channels]]: none is typed.
Published through the real services by the first demo directory admin. Idempotent: existing slugs stay."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from contacts.models import Platform, ProblemType
from helpcentre import services
from helpcentre.models import Article
from helpdesk.models import Role, User


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    platform: str | None
    types: tuple[str, ...]
    title_zh: str
    body_zh: str
    title_en: str
    body_en: str


_END_ZH = (
    "\n\n## 官方渠道（来自核实过的目录）\n\n[[channels]]\n\n"
    "任何人让你转账、提供验证码或下载其他软件，都不是官方客服。"
)
_END_EN = (
    "\n\n## Official channels (from the verified directory)\n\n[[channels]]\n\n"
    "Anyone who asks you to transfer money, give a verification code or install another app is not official "
    "support."
)

ARTICLES = [
    DemoArticle(
        "xingyun-topup-not-credited",
        "xingyun",
        ("topup-not-credited", "duplicate-charge"),
        "星云卡盟：钱扣了但充值没到账怎么办",
        "先别着急，钱一般不会丢。大多数充值几分钟内到账，高峰期可能要半小时。\n\n"
        "1. 在支付宝或微信里找到这笔付款，截图保存（有交易号最好）。\n"
        "2. 在星云卡盟的“我的订单”里找到订单号。\n"
        "3. **24小时内**联系官方客服报告，这是平台的规定。\n\n"
        "不要在网上搜索“客服电话”，搜到的很多是骗子。",
        "Xingyun: money was taken but the top-up did not arrive",
        "Don't worry: the money is usually not lost. Most top-ups arrive within minutes, at busy times "
        "within half an hour.\n\n"
        "1. Find the payment in Alipay or WeChat Pay and take a screenshot (the transaction id helps).\n"
        '2. Find the order number under "My orders" on Xingyun.\n'
        "3. Report it to official support **within 24 hours**: that is the platform's rule.\n\n"
        'Do not search the web for a "support number": many of those are scammers.',
    ),
    DemoArticle(
        "xingyun-card-code-invalid",
        "xingyun",
        ("card-code-invalid",),
        "星云卡盟：卡密用不了、显示已被使用",
        "卡密显示“无效”或“已被使用”时，请先仔细核对：字母 O 和数字 0、字母 l 和数字 1 很容易看错。\n\n"
        "如果核对后仍然不能用：\n\n"
        "1. 不要再反复尝试，以免账号被暂时锁定。\n"
        "2. 截图错误提示，记下订单号和购买时间。\n"
        "3. 联系官方客服，他们可以查到这张卡密是否真的被使用过。",
        'Xingyun: the card code does not work or is "already used"',
        'When a card code shows "invalid" or "already used", first check it carefully: the letter O and '
        "the digit 0, the letter l and the digit 1 are easy to confuse.\n\n"
        "If it still does not work:\n\n"
        "1. Stop trying again and again, or the account may be locked for a while.\n"
        "2. Take a screenshot of the error, note the order number and when you bought it.\n"
        "3. Contact official support: they can see whether the code was really used.",
    ),
    DemoArticle(
        "xingyun-account-stolen",
        "xingyun",
        ("account-stolen",),
        "星云卡盟：号被盗了怎么办",
        "发现账号被盗，越快处理损失越小。\n\n"
        "1. 如果还能登录，**立刻修改密码**，并退出其他设备。\n"
        "2. 改掉其他用了同样密码的网站的密码。\n"
        "3. 马上拨打星云卡盟的紧急热线冻结账号，它全天24小时有人接听。\n"
        "4. 记下你最后一次正常登录的时间，客服会问。",
        "Xingyun: my account was stolen",
        "If your account was stolen, the sooner you act, the less you lose.\n\n"
        "1. If you can still sign in, **change the password now** and sign out other devices.\n"
        "2. Change the password of every other site where you used the same one.\n"
        "3. Call Xingyun's emergency line straight away to freeze the account; it answers 24 hours a day.\n"
        "4. Note when you last signed in normally: support will ask.",
    ),
    DemoArticle(
        "xingyun-account-frozen",
        "xingyun",
        ("account-frozen",),
        "星云卡盟：账号被冻结了",
        "账号被冻结通常是平台的安全保护，不代表你做错了什么，钱也还在。\n\n"
        "1. 看看平台发给你的站内信或短信，里面一般写了原因。\n"
        "2. 准备好身份信息和最近的订单号。\n"
        "3. 只通过下面的官方渠道申请解冻。任何收费“解冻”的人都是骗子。",
        "Xingyun: my account is frozen",
        "A frozen account is usually the platform protecting you. It does not mean you did anything wrong, "
        "and your money is still there.\n\n"
        "1. Read the platform's message or SMS: it usually says why.\n"
        "2. Have your identity details and a recent order number ready.\n"
        '3. Ask for unfreezing only through the official channels below. Anyone who charges to "unfreeze" '
        "is a scammer.",
    ),
    DemoArticle(
        "xingyun-fraud",
        "xingyun",
        ("fraud",),
        "星云卡盟：被骗了或被盗刷了",
        "如果有人冒充客服骗了你的钱，或者账户里有不是你买的订单：\n\n"
        "1. **不要再转任何钱**，也不要把验证码告诉任何人。\n"
        "2. 保存聊天记录、转账截图和对方的号码。\n"
        "3. 马上联系星云卡盟的紧急热线，必要时拨打110报警。\n\n"
        "官方客服永远不会让你转账到“安全账户”。",
        "Xingyun: I was scammed or charged without my consent",
        "If someone pretending to be support took your money, or there are orders you did not make:\n\n"
        "1. **Do not send any more money**, and never tell anyone a verification code.\n"
        "2. Keep the chat history, payment screenshots and the other side's number.\n"
        "3. Call Xingyun's emergency line now, and the police (110) if needed.\n\n"
        'Official support never asks you to move money to a "safe account".',
    ),
    DemoArticle(
        "xingyun-duplicate-charge",
        "xingyun",
        ("duplicate-charge",),
        "星云卡盟：同一笔订单扣了两次钱",
        "重复扣款多半是网络卡顿时点了两次付款。多扣的钱可以退回。\n\n"
        "1. 在支付记录里找到两笔扣款，分别截图。\n"
        "2. 记下订单号，看看是否只生成了一个订单。\n"
        "3. 联系官方客服申请退回多扣的款项。",
        "Xingyun: I was charged twice for one order",
        "A double charge usually happens when the network was slow and the payment was tapped twice. The "
        "extra money can be returned.\n\n"
        "1. Find both charges in your payment history and take a screenshot of each.\n"
        "2. Note the order number and check whether only one order was created.\n"
        "3. Contact official support to have the extra charge returned.",
    ),
    DemoArticle(
        "xingyun-membership-benefit",
        "xingyun",
        ("membership-benefit", "how-to"),
        "星云卡盟：开了会员但权益没生效",
        "会员开通后，有时需要退出再重新登录才会显示。\n\n"
        "1. 先退出账号，重新登录一次。\n"
        "2. 仍然没有生效的话，截图会员页面和付款记录。\n"
        "3. 联系官方客服，告诉他们订单号。",
        "Xingyun: I paid for membership but the benefits are missing",
        "After you buy a membership, you sometimes need to sign out and in again before it shows.\n\n"
        "1. Sign out and sign in again.\n"
        "2. If it still does not show, take screenshots of the membership page and the payment.\n"
        "3. Contact official support with the order number.",
    ),
    DemoArticle(
        "lanjing-topup-not-credited",
        "lanjing",
        ("topup-not-credited",),
        "蓝鲸卡盟：充值没到账",
        "别慌。充值没到账时，钱通常会在核实后补到账户或原路退回。\n\n"
        "1. 保存付款截图和交易号。\n"
        "2. 在蓝鲸卡盟的订单页面找到订单号。\n"
        "3. 通过官方在线客服或理赔热线报告，热线每天 8 点到 22 点有人接听。",
        "Lanjing: my top-up did not arrive",
        "Don't panic. When a top-up does not arrive, the money is usually added after a check, or returned "
        "the way you paid.\n\n"
        "1. Keep the payment screenshot and the transaction id.\n"
        "2. Find the order number on Lanjing's order page.\n"
        "3. Report it through the official online chat or the claims hotline (08:00-22:00 every day).",
    ),
    DemoArticle(
        "lanjing-merchant-vanished",
        "lanjing",
        ("merchant-vanished",),
        "蓝鲸卡盟：商家跑路了、一直不发货",
        "如果付款后商家一直不发货、也联系不上：\n\n"
        "1. 不要私下再给商家转钱，也不要添加对方的私人微信。\n"
        "2. 截图商品页面、付款记录和你们的聊天记录。\n"
        "3. 通过蓝鲸卡盟官方渠道投诉，平台可以冻结商家的货款。",
        "Lanjing: the merchant vanished or never delivered",
        "If you paid and the merchant never delivered and cannot be reached:\n\n"
        "1. Do not send the merchant more money privately, and do not add them on private WeChat.\n"
        "2. Take screenshots of the product page, the payment and your chat.\n"
        "3. Complain through Lanjing's official channels: the platform can hold the merchant's money.",
    ),
    DemoArticle(
        "lanjing-trade-dispute",
        "lanjing",
        ("trade-dispute",),
        "蓝鲸卡盟：想退款，商家不同意",
        "和商家谈不拢时，可以请平台来评理。\n\n"
        "1. 把你的要求写清楚：退款、换货还是补发。\n"
        "2. 准备好订单号、付款记录和聊天截图。\n"
        "3. 通过官方渠道提交纠纷，平台会看双方的证据。",
        "Lanjing: I want a refund and the merchant says no",
        "When you cannot agree with a merchant, the platform can decide.\n\n"
        "1. Say clearly what you want: a refund, a replacement or delivery.\n"
        "2. Have the order number, the payment record and chat screenshots ready.\n"
        "3. Open a dispute through the official channels: the platform looks at both sides' evidence.",
    ),
    DemoArticle(
        "lanjing-account-stolen",
        "lanjing",
        ("account-stolen", "account-frozen"),
        "蓝鲸卡盟：账号被盗或被冻结",
        "账号被盗时，先保住其他账户，再找平台。\n\n"
        "1. 立刻修改密码，包括用同样密码的其他网站。\n"
        "2. 联系蓝鲸卡盟的官方客服冻结或解冻账号。\n"
        "3. 告诉客服你最后一次正常登录的时间和最近的订单号。",
        "Lanjing: my account was stolen or frozen",
        "When an account is stolen, protect your other accounts first, then contact the platform.\n\n"
        "1. Change the password now, also on other sites with the same password.\n"
        "2. Contact Lanjing's official support to freeze or unfreeze the account.\n"
        "3. Tell them when you last signed in normally and a recent order number.",
    ),
    DemoArticle(
        "lanjing-how-to",
        "lanjing",
        ("how-to", "card-code-invalid"),
        "蓝鲸卡盟：怎么兑换卡密",
        "第一次用也不难：\n\n"
        "1. 登录蓝鲸卡盟，打开“我的订单”，复制卡密。\n"
        "2. 到游戏或应用的“兑换”页面粘贴卡密，不要手动输入，以免输错。\n"
        "3. 兑换失败时，截图提示，联系官方客服。",
        "Lanjing: how to redeem a card code",
        "It is not hard, even the first time:\n\n"
        '1. Sign in to Lanjing, open "My orders" and copy the card code.\n'
        "2. Paste it on the game's or app's \"redeem\" page; don't type it by hand, to avoid mistakes.\n"
        "3. If redeeming fails, take a screenshot of the message and contact official support.",
    ),
    DemoArticle(
        "spot-fake-support",
        None,
        ("fraud", "how-to"),
        "怎样识别假客服",
        "骗子常常冒充“官方客服”。记住三条：\n\n"
        "1. 官方客服**不会**让你转账、贷款或把钱转到“安全账户”。\n"
        "2. 官方客服**不会**索要验证码或支付密码。\n"
        "3. 号码要在本站核对：打开“这个号码是官方的吗？”，粘贴号码或整条消息。\n\n"
        "拿不准时，先挂断，再用本站目录里的官方号码打回去。",
        "How to spot fake support",
        'Scammers often pretend to be "official support". Remember three things:\n\n'
        '1. Official support **never** asks you to transfer money, take a loan or use a "safe account".\n'
        "2. Official support **never** asks for a verification code or a payment password.\n"
        '3. Check any number here: open "Is this number official?" and paste the number or the whole '
        "message.\n\n"
        "When in doubt, hang up and call back using the official number from this directory.",
    ),
]


@transaction.atomic
def seed() -> None:
    editor = User.objects.filter(role=Role.DIRECTORY_ADMIN, is_active=True).order_by("id").first()
    if editor is None:
        return
    types = {pt.slug: pt for pt in ProblemType.objects.all()}
    platforms = {p.slug: p for p in Platform.objects.filter(slug__in=["xingyun", "lanjing"])}
    existing = set(Article.objects.values_list("slug", flat=True))
    for order, item in enumerate(ARTICLES):
        if item.slug in existing or (item.platform and item.platform not in platforms):
            continue
        data = services.ArticleInput(
            slug=item.slug,
            title_zh=item.title_zh,
            title_en=item.title_en,
            body_zh=item.body_zh + (_END_ZH if item.platform else ""),
            body_en=item.body_en + (_END_EN if item.platform else ""),
            platform=platforms[item.platform] if item.platform else None,
            problem_types=[types[slug] for slug in item.types if slug in types],
            sort_order=10 * (order + 1),
        )
        article = services.article_save(actor=editor, data=data)
        services.article_publish(actor=editor, article=article, note="演示数据")
