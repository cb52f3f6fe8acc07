import pytest
from django.core import mail

from accounts.models import Membership, Notification
from accounts.services import notify
from tests.factories import OrganizationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def test_notify_organization_roles_and_operators(operator, django_capture_on_commit_callbacks):
    org = OrganizationFactory()
    admin = member_of(org, Membership.Role.ADMIN)
    member_of(org, Membership.Role.MEMBER)
    bystander = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(
            organization=org,
            roles=[Membership.Role.ADMIN],
            operators=True,
            kind="k",
            title="标题",
            body="正文",
        )
    assert n == 2
    assert set(Notification.objects.values_list("user_id", flat=True)) == {admin.pk, operator.pk}
    assert not Notification.objects.filter(user=bystander).exists()
    # One e-mail each: recipients never see each other's addresses.
    assert sorted(m.to for m in mail.outbox) == sorted([[admin.email], [operator.email]])
    assert all(m.body.startswith("正文") and "消息设置" in m.body for m in mail.outbox)
