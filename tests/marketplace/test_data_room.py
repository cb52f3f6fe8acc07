"""资料室 (#16 part 4): documents behind the holder's NDA, access by acceptance (and approval), short-lived
signed links, every look logged, revocation at once."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts.models import Membership, Notification, Organization
from marketplace.models import DataRoomAccessStatusChange, DataRoomEvent
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "检测报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def holder(university):
    return member_of(university, Membership.Role.MEMBER, first_name="陈老师")


@pytest.fixture
def room_url(listing):
    return f"/api/v1/listings/{listing.pk}/data-room/"


def upload(client, listing, file=None):
    return client.post(
        f"/api/v1/listings/{listing.pk}/data-room/files/", {"file": file or pdf()}, format="multipart"
    )


def test_only_the_holder_uploads_and_the_kind_is_read_from_the_content(listing, holder, buyer, room_url):
    assert upload(client_for(buyer), listing).status_code == 403
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = upload(client_for(holder), listing, fake)
    assert r.status_code == 400 and r.json()["code"] == "invalid_file"
    r = upload(client_for(holder), listing)
    assert r.status_code == 201 and r.json()["name"] == "检测报告.pdf"
    body = client_for(holder).get(room_url).json()
    assert body["nda_version"] == 1 and len(body["files"]) == 1
    # a company sees the NDA and how many files, no links before accepting it
    body = client_for(buyer).get(room_url).json()
    assert (body["access"], body["files"], body["file_count"]) == (None, [], 1)


def test_a_company_accepts_the_nda_and_every_look_is_logged(listing, holder, buyer, company, room_url, api):
    upload(client_for(holder), listing)
    url = room_url + "access/"
    r = client_for(buyer).post(url, {"nda_version": 1, "accept": False})
    assert r.status_code == 400 and r.json()["code"] == "nda_not_accepted"
    r = client_for(buyer).post(url, {"nda_version": 1, "accept": True}, REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 201, r.content
    access = r.json()
    assert (access["status"], access["nda_version"], access["nda_accepted_by"]) == ("granted", 1, buyer.pk)
    assert access["nda_accepted_from"] == "203.0.113.9" and access["nda_accepted_at"]
    assert Notification.objects.filter(kind="data_room_access", user=holder).exists()

    files = client_for(buyer).get(room_url, REMOTE_ADDR="203.0.113.9").json()["files"]
    link = files[0]["url"]
    r = api.get(link)  # the link itself is the key: a program fetches it without a session
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    log = client_for(holder).get(room_url + "log/").json()["results"]
    assert [(e["action"], e["organization"], e["file_name"], e["address"]) for e in log] == [
        ("download", company.pk, "检测报告.pdf", "127.0.0.1"),
        ("view", company.pk, None, "203.0.113.9"),
    ]
    assert client_for(buyer).get(room_url + "log/").status_code == 404  # only the holder reads the log


def test_revoking_stops_links_already_handed_out(listing, holder, buyer, room_url, api):
    upload(client_for(holder), listing)
    access = client_for(buyer).post(room_url + "access/", {"nda_version": 1, "accept": True}).json()
    link = client_for(buyer).get(room_url).json()["files"][0]["url"]
    r = client_for(holder).post(f"/api/v1/data-room/accesses/{access['id']}/revoke/", {"reason": "终止洽谈"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    r = api.get(link)
    assert r.status_code == 403 and "撤销" in r.content.decode()
    assert client_for(buyer).get(room_url).json()["files"] == []
    r = client_for(buyer).post(room_url + "access/", {"nda_version": 1, "accept": True})
    assert r.status_code == 409 and r.json()["code"] == "access_refused"
    assert DataRoomAccessStatusChange.objects.filter(to_status="revoked", reason="终止洽谈").exists()


def test_links_expire(listing, holder, buyer, room_url, api):
    upload(client_for(holder), listing)
    client_for(buyer).post(room_url + "access/", {"nda_version": 1, "accept": True})
    link = client_for(buyer).get(room_url).json()["files"][0]["url"]
    with override_settings(MARKET={**settings.MARKET, "DATA_ROOM_LINK_SECONDS": 0}):
        time.sleep(1.1)
        r = api.get(link)
    assert r.status_code == 403 and "过期" in r.content.decode()
    assert api.get(link.replace("/files/", "/files/x")).status_code == 403  # forged
    assert not DataRoomEvent.objects.filter(action="download").exists()


def test_where_the_holder_asks_a_request_waits_for_its_approval(listing, holder, buyer, company, room_url):
    r = client_for(holder).put(room_url, {"nda_text": "本单位保密协议（第二版）", "requires_approval": True})
    assert r.status_code == 200 and r.json()["nda_version"] == 2
    upload(client_for(holder), listing)
    r = client_for(buyer).post(room_url + "access/", {"nda_version": 1, "accept": True})
    assert r.status_code == 409 and r.json()["code"] == "nda_version_stale"
    access = client_for(buyer).post(room_url + "access/", {"nda_version": 2, "accept": True}).json()
    assert access["status"] == "requested"
    assert client_for(buyer).get(room_url).json()["files"] == []
    decide = f"/api/v1/data-room/accesses/{access['id']}/decide/"
    assert client_for(buyer).post(decide, {"decision": "approve"}).status_code == 403
    assert client_for(holder).post(decide, {"decision": "reject"}).json()["code"] == "reason_required"
    r = client_for(holder).post(decide, {"decision": "approve"})
    assert r.status_code == 200 and r.json()["status"] == "granted"
    assert len(client_for(buyer).get(room_url).json()["files"]) == 1
    assert Notification.objects.filter(kind="data_room_access", user=buyer).exists()


def test_who_may_ask(listing, holder, room_url, university):
    upload(client_for(holder), listing)
    pending = OrganizationFactory(status=Organization.Status.PENDING)
    r = client_for(member_of(pending)).post(room_url + "access/", {"nda_version": 1, "accept": True})
    assert r.status_code == 403 and r.json()["code"] == "organization_not_verified"
    r = client_for(holder).post(room_url + "access/", {"nda_version": 1, "accept": True})
    assert r.status_code == 403 and r.json()["code"] == "related_party"
    approver = member_of(OrganizationFactory(), Membership.Role.APPROVER)
    assert (
        client_for(approver).post(room_url + "access/", {"nda_version": 1, "accept": True}).status_code == 403
    )
