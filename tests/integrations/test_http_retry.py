from services.integrations.http_retry import VendorRetry, retry_after_seconds

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def test_retry_after_in_seconds_http_date_and_iso_time():
    assert retry_after_seconds("3", NOW) == 3.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:30 GMT", NOW) == 10.0
    assert retry_after_seconds("2023-11-14T22:14:20Z", NOW) == 60.0
    assert retry_after_seconds("2023-11-14T22:00:00Z", NOW) == 0.0  # already past


def test_unreadable_or_absent_retry_after_means_use_the_backoff():
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("") is None
    assert retry_after_seconds("soon") is None


def test_server_errors_retry_only_idempotent_methods_and_only_as_often_as_allowed():
    retry = VendorRetry(total=5, server_error_retries=1)
    assert retry.is_retry("GET", 502) and not retry.is_retry("POST", 502)
    assert retry.is_retry("POST", 429) and not retry.is_retry("GET", 404)
    after_one = retry.increment("GET", "/x", error=None, response=_Response(502))
    assert not after_one.is_retry("GET", 500)
    assert after_one.server_error_retries == 1  # carried over by new()


class _Response:
    def __init__(self, status: int):
        self.status = status
        self.headers = {}

    def get_redirect_location(self):
        return None
