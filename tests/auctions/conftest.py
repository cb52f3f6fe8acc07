import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The factories set a password on every user; PBKDF2 at full strength costs ~0.5 s each here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def live_server_url(django_db_setup, django_db_blocker):
    """A real uvicorn (config.asgi) on a port of its own (``tests.servers``) against the test database, for one module."""
    import os
    import subprocess
    import time
    import urllib.request
    from pathlib import Path
    from urllib.parse import quote

    from django.conf import settings
    from django.db import connection

    from tests.servers import held_socket, uvicorn_argv

    sock = held_socket()
    port = sock.getsockname()[1]
    db = connection.settings_dict
    host = quote(db.get("HOST") or "", safe="")
    database_url = (
        f"postgres://{quote(db.get('USER') or '', safe='')}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    )
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=settings.REDIS_URL,
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        LOG_JSON="false",
        LOG_LEVEL="WARNING",
        DB_POOL="true",  # as the Procfile runs the web process
    )
    proc = subprocess.Popen(
        uvicorn_argv(sock),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(sock.fileno(),),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded machine running the suite in parallel
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                sock.close()
                raise
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    sock.close()
    # Let PostgreSQL end the server's sessions before pytest-django drops the test database.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)
