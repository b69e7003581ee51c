"""nameko dependencies every service may declare."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.common.config import Config, load_config


class ConfigProvider(DependencyProvider):
    """The validated config.yaml, loaded once when the container is set up.

    The runner may pass an already loaded `Config` under `INCIDENTBOT_CONFIG_OBJECT`
    (the all-in-one process loads it once for every service).
    """

    def setup(self) -> None:
        preloaded = self.container.config.get("INCIDENTBOT_CONFIG_OBJECT")
        self.config = preloaded if isinstance(preloaded, Config) else load_config(
            self.container.config.get("INCIDENTBOT_CONFIG"))

    def get_dependency(self, worker_ctx) -> Config:  # noqa: ANN001
        return self.config
