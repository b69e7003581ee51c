"""The message bus: RabbitMQ in production, kombu's in-memory transport in the
all-in-one process. RPC from code that is not a nameko worker goes through a
pool of standalone proxies (one proxy must not be shared by green threads)."""
from __future__ import annotations

import contextlib
import logging
import queue
from typing import Iterator

log = logging.getLogger(__name__)

MEMORY_URI = "memory://localhost//"
_patched = False


def enable_memory_transport(polling_interval: float = 0.005) -> None:
    """Make nameko RPC work over kombu's memory transport (see STACK-NOTES)."""
    global _patched
    if _patched:
        return
    from kombu.transport import memory
    from nameko import rpc

    # The virtual transport polls; its default of 1 s would make every RPC slow.
    memory.Transport.polling_interval = polling_interval
    original = rpc.Responder.send_response

    def send_response(self, result, exc_info):  # noqa: ANN001, ANN202
        # kombu's virtual message keeps content_type as an attribute only.
        self.message.properties.setdefault("content_type", self.message.content_type)
        return original(self, result, exc_info)

    rpc.Responder.send_response = send_response
    _patched = True


class RpcPool:
    """Standalone RPC proxies lent to one green thread at a time."""

    def __init__(self, nameko_config: dict, size: int = 20, timeout: float = 10.0):
        self.config = nameko_config
        self.timeout = timeout
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=size)

    def _new(self):  # noqa: ANN202
        from nameko.standalone.rpc import ClusterRpcProxy

        proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
        return proxy, proxy.start()

    @contextlib.contextmanager
    def cluster(self) -> Iterator:
        """`with pool.cluster() as rpc: rpc.incidents.get_incident(1)`."""
        try:
            entry = self._idle.get_nowait()
        except queue.Empty:
            entry = self._new()
        healthy = False
        try:
            yield entry[1]
            healthy = True
        except Exception as exc:
            # A domain error is a normal answer; the proxy is still fine.
            healthy = _is_remote_answer(exc)
            raise
        finally:
            if healthy:
                try:
                    self._idle.put_nowait(entry)
                except queue.Full:
                    entry[0].stop()
            else:
                with contextlib.suppress(Exception):
                    entry[0].stop()

    def warm(self, count: int) -> None:
        """Open `count` proxies ahead of need, so first requests do not pay for it."""
        for _ in range(min(count, self._idle.maxsize - self._idle.qsize())):
            self._idle.put_nowait(self._new())

    def close(self) -> None:
        while True:
            try:
                proxy, _ = self._idle.get_nowait()
            except queue.Empty:
                return
            with contextlib.suppress(Exception):
                proxy.stop()


def _is_remote_answer(exc: Exception) -> bool:
    from nameko.exceptions import RemoteError, get_module_path, registry

    return isinstance(exc, RemoteError) or get_module_path(type(exc)) in registry
