from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from contacts.api.views import (
    ChannelAdminViewSet,
    ChannelViewSet,
    CheckView,
    DomainProposalViewSet,
    PlatformViewSet,
    ProposalViewSet,
)

router = SimpleRouter()
router.register("platforms", PlatformViewSet, basename="api-platform")
router.register("channels", ChannelViewSet, basename="api-channel")
router.register("directory/proposals", ProposalViewSet, basename="api-proposal")
router.register("directory/channels", ChannelAdminViewSet, basename="api-channel-admin")
router.register("directory/domain-proposals", DomainProposalViewSet, basename="api-domain-proposal")

urlpatterns = [path("check/", CheckView.as_view(), name="api-check"), *router.urls]
