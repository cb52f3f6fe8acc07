"""Discovery's API paths, under ``/api/v1/`` (API.md, "Discovery (1.1)")."""

from . import demands, inquiry, push, review, valuation

urlpatterns = [
    *demands.urlpatterns,
    *inquiry.urlpatterns,
    *review.urlpatterns,
    *valuation.urlpatterns,
    *push.urlpatterns,
]
