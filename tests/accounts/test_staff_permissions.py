"""An operator's permissions are read in one statement (``accounts.selectors._read_permissions``)
into the cache Django's ``ModelBackend`` keeps on the user object: the same set as the backend's
two queries, its own and its groups' permissions, and no query for the next check."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.selectors import is_finance_operator, is_operator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_one_statement_reads_what_the_model_backend_reads(operator, django_assert_num_queries):
    finance_only = UserFactory(is_staff=True)
    finance_only.user_permissions.add(
        Permission.objects.get(codename="finance", content_type__app_label="accounts")
    )
    both = UserFactory(is_staff=True)
    both.groups.add(Group.objects.get(name="平台审核"))
    both.user_permissions.add(Permission.objects.get(codename="finance", content_type__app_label="accounts"))
    nothing = UserFactory(is_staff=True)
    for user, expected in (
        (operator, (True, True)),
        (finance_only, (False, True)),
        (both, (True, True)),
        (nothing, (False, False)),
    ):
        fresh = User.objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            assert (is_operator(fresh), is_finance_operator(fresh)) == expected, user
        assert fresh._perm_cache == ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))

    # Not staff, inactive or anonymous: no permission read at all; a superuser needs none.
    for user in (UserFactory(), UserFactory(is_staff=True, is_active=False), UserFactory(is_superuser=True)):
        with django_assert_num_queries(0):
            assert is_operator(user) is user.is_superuser
