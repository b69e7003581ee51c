"""A broker restart must not kill a container that acks a message on the dead connection."""
from types import SimpleNamespace

from nameko.messaging import QueueConsumer

from services.common.bus import survive_lost_acks


class DeadMessage:
    def __init__(self):
        self.channel = SimpleNamespace(connection=object())  # looks alive to nameko
        self.tried = []

    def ack(self):
        self.tried.append("ack")
        raise ConnectionResetError(104, "Connection reset by peer")

    def requeue(self):
        self.tried.append("requeue")
        raise BrokenPipeError(32, "Broken pipe")


def test_ack_and_requeue_on_a_reset_connection_are_dropped_not_raised(caplog):
    survive_lost_acks()
    wrapped = QueueConsumer.ack_message
    survive_lost_acks()  # twice is harmless: no double wrapping
    assert QueueConsumer.ack_message is wrapped
    consumer = QueueConsumer.__new__(QueueConsumer)
    message = DeadMessage()
    assert consumer.ack_message(message) is None
    assert consumer.requeue_message(message) is None
    assert message.tried == ["ack", "requeue"]
    assert caplog.text.count("the broker will deliver it again") == 2
