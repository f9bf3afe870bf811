"""Claims as a customer files them: the standard problem types, screenshots, form and service input."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.factories import problem_type
from tickets.claims.services import ClaimInput


def ensure_problem_types() -> None:
    import importlib

    from contacts.models import ProblemType

    standard = importlib.import_module("contacts.migrations.0002_problem_types").PROBLEM_TYPES
    for slug, name_zh, name_en, severity, order in standard:
        ProblemType.objects.get_or_create(
            slug=slug,
            defaults={"name_zh": name_zh, "name_en": name_en, "severity": severity, "sort_order": order},
        )


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def png_file(name: str = "screenshot.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def claim_input(platform, **overrides) -> ClaimInput:
    values = {
        "platform": platform,
        "problem_type": problem_type(),
        "order_number": "20240520001",
        "product": "100元游戏点卡",
        "amount": Decimal("100.00"),
        "payment_channel": "alipay",
        "paid_at": timezone.now() - timedelta(hours=1),
        "description": "5月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，刷新了3次。",
        "desired_outcome": "reissue",
    }
    values.update(overrides)
    return ClaimInput(**values)


def form_data(platform, **overrides) -> dict:
    data = {
        "platform": str(platform.pk),
        "problem_type": str(problem_type().pk),
        "order_number": "20240520001",
        "product": "100元游戏点卡",
        "amount": "100.00",
        "currency": "CNY",
        "payment_channel": "alipay",
        "paid_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "description": "5月20日14:30购买100元游戏点卡，已付款，30分钟后仍未到账，刷新了3次。",
        "desired_outcome": "reissue",
        "contact_phone": "",
        "preferred_contact": "in_app",
        "form_token": "",
    }
    data.update(overrides)
    return data
