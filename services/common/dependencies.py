"""nameko dependencies every service may declare."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.common.config import Config, load_config


def config_of(container_config: dict) -> Config:
    preloaded = container_config.get("INCIDENTBOT_CONFIG_OBJECT")
    if isinstance(preloaded, Config):
        return preloaded
    return load_config(container_config.get("INCIDENTBOT_CONFIG"))


class ConfigProvider(DependencyProvider):
    """The validated config.yaml, loaded once when the container is set up.

    The runner may pass an already loaded `Config` under `INCIDENTBOT_CONFIG_OBJECT`
    (the all-in-one process loads it once for every service).
    """

    def setup(self) -> None:
        self.config = config_of(self.container.config)

    def get_dependency(self, worker_ctx) -> Config:  # noqa: ANN001
        return self.config
