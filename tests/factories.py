"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import itertools

import factory

from accounts.models import Membership, Organization, User
from accounts.validators import credit_code_check_char

_serial = itertools.count(1)


def make_credit_code() -> str:
    """A fresh, valid unified social credit code."""
    first17 = f"91330100MA{next(_serial):07d}"
    return first17 + credit_code_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = Organization.Kind.ENTERPRISE
    credit_code = factory.LazyFunction(make_credit_code)
    status = Organization.Status.VERIFIED
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.ADMIN


def member_of(organization: Organization, role: str = Membership.Role.ADMIN, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=organization, role=role)
    return user
