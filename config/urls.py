from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import conversion.urls
import listings.urls
import marketplace.urls

from .health import healthz

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("listings.api.urls")),
    path("", include("marketplace.api.urls")),
    path("", include("auctions.api.urls")),
    path("", include("conversion.api.urls")),
    path("", include("portal.api.urls")),
    path("", include("discovery.api.urls")),
]

urlpatterns = [
    # The API first: a path is tried against each pattern in turn, and the pages' two hundred (none
    # of which can match a path under api/v1/) came first: resolving a bid's path took 82 us, now
    # 45 (#17.1).
    path("api/v1/", include(api_v1)),
    path("", include("portal.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # The conversion pages keep the names they had in listings and marketplace (conversion/urls.py).
    path("", include((listings.urls.urlpatterns + conversion.urls.listings_urlpatterns, "listings"))),
    path(
        "", include((marketplace.urls.urlpatterns + conversion.urls.marketplace_urlpatterns, "marketplace"))
    ),
    path("", include("auctions.urls")),
    path("", include("discovery.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets style attributes as it renders: its page alone allows inline styles (never
    # inline scripts; its script is the sidecar's file, served by the split view).
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
]
