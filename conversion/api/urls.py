"""The conversion duty's API paths, under ``/api/v1/`` (unchanged by the move from listings and
marketplace: the paths and their names are the same)."""

from . import agreements, duty

urlpatterns = [*duty.urlpatterns, *agreements.urlpatterns]
