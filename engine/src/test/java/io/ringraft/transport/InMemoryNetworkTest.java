package io.ringraft.transport;

import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryNetworkTest
{
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final ConcurrentLinkedQueue<Message> receivedBy2 = new ConcurrentLinkedQueue<>();
    private final PeerMessageCodec decoder = new PeerMessageCodec();

    private InMemoryTransport start(final int member, final ConcurrentLinkedQueue<Message> into)
    {
        final InMemoryTransport transport = network.transport(member, 7);
        transport.start((buffer, offset, length) ->
        {
            final Message message = new Message();
            synchronized (decoder)
            {
                decoder.decode(buffer, offset, message);
            }
            into.add(message);
        });
        return transport;
    }

    private static Message heartbeat(final int from, final int to, final long term)
    {
        final Message message = new Message().reset();
        message.type = MessageType.HEARTBEAT;
        message.clusterId = 7;
        message.groupId = 3;
        message.from = from;
        message.to = to;
        message.term = term;
        message.commit = 42;
        return message;
    }

    @Test
    void deliversEncodedMessagesToTheTarget()
    {
        final InMemoryTransport one = start(1, new ConcurrentLinkedQueue<>());
        start(2, receivedBy2);
        assertThat(one.send(heartbeat(1, 2, 5))).isTrue();
        final Message received = receivedBy2.poll();
        assertThat(received).isNotNull();
        assertThat(received.type).isEqualTo(MessageType.HEARTBEAT);
        assertThat(received.groupId).isEqualTo(3);
        assertThat(received.term).isEqualTo(5);
        assertThat(received.commit).isEqualTo(42);
        network.close();
    }

    @Test
    void isolationAndPolicyDropWithoutBlocking()
    {
        final InMemoryTransport one = start(1, new ConcurrentLinkedQueue<>());
        start(2, receivedBy2);
        network.isolate(2);
        assertThat(one.send(heartbeat(1, 2, 1))).isFalse();
        network.heal();
        network.policy((from, to, type) -> MessageType.HEARTBEAT == type ? InMemoryNetwork.DROP : InMemoryNetwork.DELIVER);
        assertThat(one.send(heartbeat(1, 2, 1))).isFalse();
        assertThat(one.send(heartbeat(1, 9, 1))).as("unknown member").isFalse();
        assertThat(receivedBy2).isEmpty();
        assertThat(network.dropped()).isEqualTo(3);
        assertThat(one.sendsDropped()).isEqualTo(3);
        network.close();
    }

    @Test
    void delayedMessagesArriveLater() throws InterruptedException
    {
        final InMemoryTransport one = start(1, new ConcurrentLinkedQueue<>());
        start(2, receivedBy2);
        network.policy((from, to, type) -> TimeUnit.MILLISECONDS.toNanos(50));
        final long sentNs = System.nanoTime();
        assertThat(one.send(heartbeat(1, 2, 1))).isTrue();
        assertThat(receivedBy2).as("not yet").isEmpty();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (receivedBy2.isEmpty() && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(1);
        }
        assertThat(receivedBy2).hasSize(1);
        assertThat(System.nanoTime() - sentNs).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        network.close();
    }

    @Test
    void framesOfAnotherClusterOrGarbageAreCountedAndDropped()
    {
        final InMemoryTransport two = start(2, receivedBy2);
        final Message foreign = heartbeat(1, 2, 1);
        foreign.clusterId = 8;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
        final int length = new PeerMessageCodec().encode(foreign, frame, 0);
        two.receive(frame, 0, length);
        two.receive(new UnsafeBuffer(new byte[]{1, 2, 3}), 0, 3);
        assertThat(receivedBy2).isEmpty();
        assertThat(two.badFrames()).isEqualTo(2);
        network.close();
    }
}
