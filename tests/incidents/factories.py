def declaration(**overrides) -> dict:
    data = {"description": "Checkout API returns 500", "severity": "sev2",
            "reporter_id": "U0REPORTER", "source": "slack"}
    data.update(overrides)
    return data
