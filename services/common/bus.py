"""The message bus: RabbitMQ in production, kombu's in-memory transport in the
all-in-one process. RPC from code that is not a nameko worker goes through a
pool of standalone proxies (one proxy must not be shared by green threads)."""
from __future__ import annotations

import contextlib
import logging
import queue
from typing import Iterator

import eventlet

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


def reconnect_quickly(interval_max: float = 2.0) -> None:
    """After a broker restart, nameko's consumers reconnect with kombu's default back-off
    (2, 4, 6... up to 30 s apart), leaving a service deaf for up to 30 s after the broker
    is back. Retry every 0.5 s, growing to `interval_max`, instead."""
    from contextlib import contextmanager

    from nameko.messaging import QueueConsumer

    @contextmanager
    def establish_connection(self):  # noqa: ANN001, ANN202
        with self.create_connection() as conn:
            conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                                   interval_start=0.5, interval_step=0.5,
                                   interval_max=interval_max)
            yield conn

    QueueConsumer.establish_connection = establish_connection


def survive_lost_replies() -> None:
    """nameko kills the whole container when it cannot publish an RPC reply, which is
    what happens to every call in flight when the broker restarts. Drop that reply
    instead (the caller times out and its user is told); the request message was not
    acked, so the broker hands it out again and the call, idempotent, is answered then."""
    from amqp.exceptions import ConnectionError as AmqpConnectionError
    from kombu.exceptions import OperationalError
    from nameko import rpc
    from nameko.amqp.publish import UndeliverableMessage

    original = rpc.Responder.send_response
    if getattr(original, "survives_lost_replies", False):
        return

    def send_response(self, result, exc_info):  # noqa: ANN001, ANN202
        try:
            return original(self, result, exc_info)
        except (OSError, OperationalError, AmqpConnectionError, UndeliverableMessage) as exc:
            log.warning("could not send an RPC reply (%r); the caller will retry", exc)
            return result, exc_info

    send_response.survives_lost_replies = True
    rpc.Responder.send_response = send_response


def survive_lost_acks() -> None:
    """nameko acks (or requeues) a message once its worker is done, catching only amqp's
    ConnectionError; a broker restart shows up as the socket's ConnectionResetError
    instead, which kills the whole container. The message was delivered on a connection
    that is gone, so the broker hands it out again anyway: drop the ack and carry on."""
    from kombu.exceptions import OperationalError
    from nameko.messaging import QueueConsumer

    if getattr(QueueConsumer.ack_message, "survives_lost_acks", False):
        return

    def settle(original):  # noqa: ANN001, ANN202
        def settle_message(self, message):  # noqa: ANN001, ANN202
            try:
                return original(self, message)
            except (OSError, OperationalError) as exc:
                log.warning("could not settle a message (%r); the broker will deliver it "
                            "again", exc)
                return None

        settle_message.survives_lost_acks = True
        return settle_message

    QueueConsumer.ack_message = settle(QueueConsumer.ack_message)
    QueueConsumer.requeue_message = settle(QueueConsumer.requeue_message)


def transient_rpc_requests() -> None:
    """nameko publishes RPC requests as persistent messages to durable queues, so the
    broker writes each one to disk before it confirms it (about a third of RabbitMQ's CPU
    per declaration). A request is only worth anything while its caller waits for the
    reply, and the caller's reply queue dies with a broker restart: a persisted request
    replayed after one would do work its user was already told had failed. Requests are
    sent transient instead; events, which must outlive a restart, stay persistent."""
    from nameko import rpc
    from nameko.amqp.publish import Publisher
    from nameko.constants import NON_PERSISTENT

    if getattr(rpc.MethodProxy.publisher_cls, "transient", False):
        return

    class TransientPublisher(Publisher):
        delivery_mode = NON_PERSISTENT
        transient = True

    rpc.MethodProxy.publisher_cls = TransientPublisher


class RpcUnavailable(Exception):
    """The bus did not answer in time (broker away, service down)."""


class RpcPool:
    """Standalone RPC proxies lent to one green thread at a time."""

    def __init__(self, nameko_config: dict, size: int = 20, timeout: float = 10.0,
                 deadline: float | None = None):
        """`timeout`: how long one call waits for its reply; `deadline`: how long one
        `cluster()` block may take in all, connecting included (Slack wants an answer
        within 3 s, even while the broker is away)."""
        self.config = nameko_config
        self.timeout = timeout
        self.deadline = deadline
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=size)

    def _new(self):  # noqa: ANN202
        from nameko.standalone.rpc import ClusterRpcProxy

        proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
        return proxy, proxy.start()

    @contextlib.contextmanager
    def cluster(self) -> Iterator:
        """`with pool.cluster() as rpc: rpc.incidents.get_incident(1)`."""
        timer = (eventlet.Timeout(self.deadline, RpcUnavailable(
            f"no answer over the bus within {self.deadline} s")) if self.deadline else None)
        entry = None
        healthy = False
        try:
            try:
                entry = self._idle.get_nowait()
            except queue.Empty:
                entry = self._new()
            yield entry[1]
            healthy = True
        except Exception as exc:
            # A domain error is a normal answer; the proxy is still fine.
            healthy = _is_remote_answer(exc)
            raise
        finally:
            if timer is not None:
                timer.cancel()
            if entry is not None:
                self._give_back(entry, healthy)

    def _give_back(self, entry: tuple, healthy: bool) -> None:
        if healthy:
            try:
                self._idle.put_nowait(entry)
                return
            except queue.Full:
                pass
        else:
            # One broken connection usually means the broker went away: the idle proxies'
            # connections are dead too, and each would cost a caller a failed request.
            self.close()
        _stop(entry)

    def warm(self, count: int) -> None:
        """Open `count` proxies ahead of need, so first requests do not pay for it."""
        for _ in range(min(count, self._idle.maxsize - self._idle.qsize())):
            self._idle.put_nowait(self._new())

    def close(self) -> None:
        while True:
            try:
                entry = self._idle.get_nowait()
            except queue.Empty:
                return
            _stop(entry)


def _stop(entry: tuple) -> None:
    # A proxy whose connection broke may hang while closing: bound it.
    with contextlib.suppress(Exception, eventlet.Timeout), eventlet.Timeout(2):
        entry[0].stop()


def _is_remote_answer(exc: Exception) -> bool:
    from nameko.exceptions import RemoteError, get_module_path, registry

    return isinstance(exc, RemoteError) or get_module_path(type(exc)) in registry


class _TimedService:
    """A worker's service proxy whose calls give up after `timeout` seconds: a reply
    lost in a broker restart must not hold a worker (and its claims) forever."""

    def __init__(self, proxy, timeout: float):  # noqa: ANN001
        self._proxy, self._timeout = proxy, timeout

    def __getattr__(self, method: str):  # noqa: ANN204
        target = getattr(self._proxy, method)
        timeout, service = self._timeout, self._proxy.service_name

        def call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            with eventlet.Timeout(timeout, RpcUnavailable(
                    f"{service}.{method} did not answer within {timeout} s")):
                return target(*args, **kwargs)

        return call


def timed_rpc_proxy(service_name: str, timeout: float = 10.0):  # noqa: ANN201
    """`incidents = timed_rpc_proxy("incidents")` in a service class: nameko's RpcProxy
    (2.x has no reply timeout) with one."""
    from nameko.rpc import RpcProxy

    class TimedRpcProxy(RpcProxy):
        def get_dependency(self, worker_ctx):  # noqa: ANN001, ANN202
            return _TimedService(super().get_dependency(worker_ctx), timeout)

    return TimedRpcProxy(service_name)
