"""The web service's settings, read once from the nameko container config (the runner
fills it from the environment). Secrets are held here and never logged."""
from __future__ import annotations

import dataclasses
import logging

log = logging.getLogger(__name__)
TRUE = ("1", "true", "yes", "on")


@dataclasses.dataclass(frozen=True)
class WebSettings:
    database_url: str
    secret_key: str | None = None          # WEB_SECRET_KEY; generated (and warned) if unset
    behind_tls: bool = False               # WEB_BEHIND_TLS: Secure cookies, HSTS, proxy headers
    admin_email: str | None = None         # WEB_ADMIN_EMAIL + WEB_ADMIN_PASSWORD: first admin
    admin_password: str | None = dataclasses.field(default=None, repr=False)
    rpc_timeout: float = 10.0
    pagerduty_timeout: float = 2.0
    session_hours: int = 12

    @classmethod
    def from_nameko_config(cls, config: dict) -> "WebSettings":
        return cls(database_url=config["DATABASE_URL"],
                   secret_key=config.get("WEB_SECRET_KEY") or None,
                   behind_tls=str(config.get("WEB_BEHIND_TLS", "")).lower() in TRUE,
                   admin_email=config.get("WEB_ADMIN_EMAIL") or None,
                   admin_password=config.get("WEB_ADMIN_PASSWORD") or None)

    def __repr__(self) -> str:  # the secret key stays out of logs and tracebacks
        return (f"WebSettings(database_url=<set>, behind_tls={self.behind_tls}, "
                f"admin_email={self.admin_email!r})")
