"""A nameko timer whose period comes from config.yaml, read at container set-up."""
from __future__ import annotations

from typing import Callable

from nameko.timer import Timer

from services.common.config import Config
from services.common.dependencies import config_of


class ConfiguredTimer(Timer):
    def __init__(self, period: Callable[[Config], float], eager: bool = False, **kwargs):
        self.period = period
        super().__init__(interval=0, eager=eager, **kwargs)

    def setup(self) -> None:
        self.interval = float(self.period(config_of(self.container.config)))
        super().setup()


# Pass `period=` by keyword: nameko takes a lone positional function for the method
# being decorated.
every = ConfiguredTimer.decorator
