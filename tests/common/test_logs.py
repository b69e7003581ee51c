import logging

from services.common.logs import RedactSecrets


def test_tokens_passwords_and_secret_values_are_redacted():
    redact = RedactSecrets(["s3cr3t-signing-value"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "token %s url %s secret %s", ("xoxb-123-456-abc",
                               "amqp://guest:hunter2@rabbit:5672//", "s3cr3t-signing-value"),
                               None)
    redact.filter(record)
    text = record.getMessage()
    assert "xoxb-123" not in text and "hunter2" not in text and "s3cr3t" not in text
    assert text.count("[redacted]") == 3
