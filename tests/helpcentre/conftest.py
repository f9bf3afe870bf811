"""Help-centre fixtures: the demo directory (two admins publish it) and a helper that publishes articles."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contacts.models import Platform, ProblemType
from helpcentre import services
from helpcentre.models import Article
from tests.support.auth import totp_device


@pytest.fixture
def editor(directory_admin):
    totp_device(directory_admin)
    return directory_admin


@pytest.fixture
def directory(directory_admin, second_directory_admin) -> None:
    """The demo directory of issue #3 (星云卡盟 and 蓝鲸卡盟 with their official channels)."""
    from contacts.demo import seed

    totp_device(directory_admin)
    totp_device(second_directory_admin)
    seed()


@pytest.fixture
def write(editor) -> Callable[..., Article]:
    def _write(
        slug: str, *, platform: str | None = None, types: tuple[str, ...] = (), publish: bool = True, **texts
    ):
        data = services.ArticleInput(
            slug=slug,
            title_zh=texts.get("title_zh", f"标题 {slug}"),
            title_en=texts.get("title_en", f"Title {slug}"),
            body_zh=texts.get("body_zh", "正文。"),
            body_en=texts.get("body_en", "Text."),
            platform=Platform.objects.get(slug=platform) if platform else None,
            problem_types=list(ProblemType.objects.filter(slug__in=types)),
        )
        article = services.article_save(actor=editor, data=data)
        if publish:
            services.article_publish(actor=editor, article=article)
        return article

    return _write


@pytest.fixture
def help_demo(directory) -> None:
    """The demo help articles, published through the services with the checker."""
    from helpcentre.demo import seed

    seed()
