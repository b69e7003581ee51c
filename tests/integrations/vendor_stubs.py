"""StubIncidents plus what the PagerDuty and Statuspage code also uses: settings, and
giving a claim back."""
from __future__ import annotations

import copy

from tests.integrations.stubs import StubIncidents


class SettingsIncidents(StubIncidents):
    def __init__(self, incident: dict | None = None):
        super().__init__(incident)
        self.settings: dict = {}

    def get_setting(self, key: str, default=None):  # noqa: ANN001, ANN201
        return copy.deepcopy(self.settings.get(key, default))

    def set_setting(self, key: str, value, actor_id=None):  # noqa: ANN001, ANN201
        self.settings[key] = copy.deepcopy(value)
        return value

    def release_delivery(self, key: str) -> bool:
        return self.claims.pop(key, True) is False
