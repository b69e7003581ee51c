import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

from tests.support.fixtures import *  # noqa: E402,F401,F403
