from __future__ import annotations

import factory
from django.utils import timezone

from helpdesk.models import Role, User

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name", locale="zh_CN")
    role = Role.CUSTOMER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    role = Role.AGENT
    staff_number = factory.Sequence(lambda n: f"A{1000 + n}")


# --- contacts -------------------------------------------------------------------------------------------
class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Platform"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试卡盟{n}")
    slug = factory.Sequence(lambda n: f"platform-{n}")
    aliases = factory.LazyFunction(list)

    @factory.post_generation
    def _search_text(obj, create, extracted, **kwargs):
        from contacts.models import platform_search_text

        obj.search_text = platform_search_text(obj.name, obj.aliases, obj.slug)
        if create:
            obj.save(update_fields=["search_text"])


# --- Claims (tickets) -----------------------------------------------------------------------------------
def claim_platform(slug: str = "xingyun", name: str = "星云卡盟"):
    from contacts.models import Platform

    return Platform.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def problem_type(slug: str = "topup-not-credited"):
    from contacts.models import ProblemType

    return ProblemType.objects.get(slug=slug)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Claim"

    reference = factory.Sequence(lambda n: f"XY-20261122-{n:06d}")
    customer = factory.SubFactory(UserFactory)
    platform = factory.LazyFunction(claim_platform)
    problem_type = factory.LazyFunction(problem_type)
    subject = factory.LazyAttribute(lambda o: f"{o.order_number}-充值未到账-紧急")
    order_number = factory.Sequence(lambda n: f"2024052{n:05d}")
    product = "100元游戏点卡"
    amount = factory.LazyFunction(lambda: __import__("decimal").Decimal("100.00"))
    payment_channel = "alipay"
    paid_at = factory.LazyFunction(lambda: __import__("django.utils.timezone").utils.timezone.now())
    description = "5月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账。"
    desired_outcome = "reissue"


class ClaimEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.ClaimEvent"

    claim = factory.SubFactory(ClaimFactory)
    kind = "customer_reply"
    body = "还没到账"


# --- Agent workspace (teams, macros) --------------------------------------------------------------------
class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Team"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


def join_team(user, team):
    from tickets.models import TeamMembership

    TeamMembership.objects.get_or_create(user=user, team=team)
    return user


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tickets.Macro"

    name = "到账核实"
    body = "您好，我们已联系平台核实您的充值，请稍候。"


def verify_phone(user: User, phone: str = "+8613800138000") -> User:
    """As if ``user`` had confirmed ``phone`` with the SMS code (call-backs go only to a verified phone)."""
    User.objects.filter(pk=user.pk).update(phone=phone, phone_verified_at=timezone.now())
    user.refresh_from_db()
    return user
