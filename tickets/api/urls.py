from __future__ import annotations

from rest_framework.routers import SimpleRouter

from tickets.api.views import ClaimViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="api-claims")

urlpatterns = router.urls
