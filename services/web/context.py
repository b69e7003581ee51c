"""What every request handler reaches through `current_app.extensions["web"]`."""
from __future__ import annotations

import dataclasses

from services.common.config import Config
from services.common.db import Database
from services.web.backend import Backend
from services.web.live import LiveHub
from services.web.settings import WebSettings


@dataclasses.dataclass
class WebContext:
    config: Config
    backend: Backend
    db: Database
    settings: WebSettings
    hub: LiveHub
