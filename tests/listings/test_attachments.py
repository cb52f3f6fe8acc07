"""Achievements carry attachments (专利证书, 图片, 宣传册): checked, stored, shown, removed (#14)."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership
from core.errors import Forbidden, InvalidInput
from listings.models import AchievementAttachment
from listings.services import attachment_add, attachment_remove
from tests.factories import AchievementFactory, make_listing, member_of

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def achievement(university):
    return AchievementFactory(holder=university)


def test_holder_adds_a_certificate_and_a_photo_that_anyone_can_see(client, achievement, holder_member):
    cert = attachment_add(
        achievement=achievement,
        actor=holder_member,
        role="certificate",
        caption="发明专利证书",
        upload=SimpleUploadedFile("证书.pdf", PDF),
    )
    photo = attachment_add(
        achievement=achievement, actor=holder_member, role="photo", upload=SimpleUploadedFile("样机.png", PNG)
    )
    assert cert.kind == "pdf" and photo.kind == "png" and cert.size == len(PDF)
    assert default_storage.exists(cert.file.name) and "证书" not in cert.file.name

    listing = make_listing(achievement=achievement)
    page = client.get(reverse("listings:detail", args=[listing.pk]))  # a visitor, signed out
    body = page.content.decode()
    assert "发明专利证书" in body and "样机.png" in body
    served = client.get(reverse("listings:attachment_file", args=[achievement.pk, photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG


def test_a_photo_must_be_a_picture_and_a_brochure_a_pdf(achievement, holder_member):
    with pytest.raises(InvalidInput) as exc:
        attachment_add(
            achievement=achievement,
            actor=holder_member,
            role="photo",
            upload=SimpleUploadedFile("x.pdf", PDF),
        )
    assert "PNG" in exc.value.fields["file"][0]
    with pytest.raises(InvalidInput):
        attachment_add(
            achievement=achievement,
            actor=holder_member,
            role="brochure",
            upload=SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>"),
        )
    assert not AchievementAttachment.objects.exists()


def test_only_the_holders_editors_add_or_remove(achievement, buyer, holder_member):
    with pytest.raises(Forbidden):
        attachment_add(
            achievement=achievement, actor=buyer, role="photo", upload=SimpleUploadedFile("a.png", PNG)
        )
    att = attachment_add(
        achievement=achievement, actor=holder_member, role="photo", upload=SimpleUploadedFile("a.png", PNG)
    )
    with pytest.raises(Forbidden):
        attachment_remove(attachment=att, actor=buyer)


@pytest.mark.django_db(transaction=True)
def test_removing_deletes_the_row_and_then_the_file(university):
    editor = member_of(university, Membership.Role.MEMBER)
    achievement = AchievementFactory(holder=university)
    att = attachment_add(
        achievement=achievement, actor=editor, role="photo", upload=SimpleUploadedFile("a.png", PNG)
    )
    name = att.file.name
    attachment_remove(attachment=att, actor=editor)
    assert not AchievementAttachment.objects.exists() and not default_storage.exists(name)


def test_the_attachments_page_uploads_and_shows_the_reason_of_a_refusal(client, achievement, holder_member):
    client.force_login(holder_member)
    url = reverse("listings:achievement_attachments", args=[achievement.pk])
    refused = client.post(url, {"role": "photo", "file": SimpleUploadedFile("a.png", PDF)})
    assert refused.status_code == 200 and "只接受 PNG、JPEG、WebP" in refused.content.decode()
    done = client.post(
        url, {"role": "brochure", "caption": "产品手册", "file": SimpleUploadedFile("手册.pdf", PDF)}
    )
    assert done.status_code == 302
    assert "产品手册" in client.get(url).content.decode()
