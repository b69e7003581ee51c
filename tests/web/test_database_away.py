"""The web's own database unreachable (PostgreSQL restarting): 503 with a clear message,
in JSON for the API and as a page for the UI, never a 500."""
import pytest

from services.common.config import Config
from services.common.db import Database
from services.web.app import create_app
from services.web.settings import WebSettings
from tests.support.stack import free_port
from tests.web.conftest import SECRET
from tests.web.support import csrf_from

pytestmark = pytest.mark.service


@pytest.fixture
def app_without_database(services, backend_config):
    from services.common.bus import RpcPool

    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/incidentbot"
    db = Database(nowhere)
    pool = RpcPool(backend_config, timeout=10)
    application = create_app(Config.default(), pool, WebSettings(database_url=nowhere,
                                                                 secret_key=SECRET), db=db)
    application.testing = False
    yield application
    pool.close()
    db.dispose()


def test_api_and_sign_in_answer_503_while_the_database_is_away(app_without_database):
    http = app_without_database.test_client()
    api = http.get("/api/v1/incidents", headers={"Authorization": "Bearer ibt_" + "x" * 43})
    assert api.status_code == 503
    assert api.get_json()["error"].startswith("The database is not answering")
    page = http.get("/login")
    login = http.post("/login", data={"email": "a@example.com", "password": "long enough pw",
                                      "csrf_token": csrf_from(page.text)})
    assert login.status_code == 503 and "database is not answering" in login.text
