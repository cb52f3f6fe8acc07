import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The factories set a password on every user; PBKDF2 at full strength costs ~0.5 s each here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
