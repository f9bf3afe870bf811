"""Demo content: under DEMO_MODE, 星云卡盟 has a platform key with every scope (``make run`` prints it).

Never in production settings: with DEMO_MODE off nothing is created."""

from __future__ import annotations

from django.conf import settings

from contacts.models import Platform
from helpdesk.api.platform_keys import SCOPES, platform_key_ensure

DEMO_PLATFORM = "xingyun"
DEMO_KEY = "cdk_demo_xingyun_20261202"


def seed() -> None:
    if not settings.DEMO_MODE:
        return
    platform = Platform.objects.filter(slug=DEMO_PLATFORM).first()
    if platform is None:
        return
    platform_key_ensure(platform_id=platform.pk, key=DEMO_KEY, name="演示密钥 demo key", scopes=SCOPES)


def demo_lines() -> list[str]:
    if not settings.DEMO_MODE:
        return []
    return [f"Platform API key of 星云卡盟 (every scope): {DEMO_KEY}  (README: platform quick start)"]
