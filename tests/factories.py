from __future__ import annotations

import factory

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
