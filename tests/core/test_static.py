"""The static files table (core.static) is built once per process and serves what WhiteNoise's own
middleware serves."""

from __future__ import annotations

from whitenoise.middleware import WhiteNoiseMiddleware

from core.static import StaticFilesMiddleware


def _served(middleware: WhiteNoiseMiddleware) -> dict[str, tuple]:
    served = {}
    for url, static_file in middleware.files.items():
        plain = static_file.get_response("GET", {})
        gzipped = static_file.get_response("GET", {"HTTP_ACCEPT_ENCODING": "gzip, br"})
        for response in (plain, gzipped):
            if response.file:
                response.file.close()
        served[url] = (plain.status, plain.headers, gzipped.headers)
    return served


def test_a_second_middleware_reuses_the_table_and_serves_what_whitenoise_serves():
    first = StaticFilesMiddleware(lambda request: None)
    second = StaticFilesMiddleware(lambda request: None)
    assert len(first.files) > 100  # the admin's, DRF's and the apps' static files
    assert all(second.files[url] is static_file for url, static_file in first.files.items())
    assert _served(second) == _served(WhiteNoiseMiddleware(lambda request: None))


def test_a_setting_that_shapes_the_table_builds_another(settings):
    before = StaticFilesMiddleware(lambda request: None)
    settings.WHITENOISE_MAX_AGE = 12345
    after = StaticFilesMiddleware(lambda request: None)
    url = next(iter(after.files))
    assert after.files[url] is not before.files[url]
    assert _served(after) == _served(WhiteNoiseMiddleware(lambda request: None))
    assert "max-age=12345" in dict(after.files[url].get_response("GET", {}).headers)["Cache-Control"]
