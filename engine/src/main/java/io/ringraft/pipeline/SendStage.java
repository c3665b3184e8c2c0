package io.ringraft.pipeline;

import com.lmax.disruptor.EventHandler;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import io.ringraft.transport.Transport;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Hands messages to the {@link Transport} (which encodes them) and measures, per group and peer, the longest
 * gap between two heartbeats of the same term: the figure that shows whether followers could have timed out.
 */
final class SendStage implements EventHandler<SendEvent>
{
    private final Transport transport;
    private final HandOverArena arena;
    /** An append reassembled from its slot and its arena region, whose entries it reads in place. */
    private final Message append = new Message();
    private final int[] members;
    private final NodeCounters counters;
    private final long[][] lastHeartbeatNs;
    private final long[][] lastHeartbeatTerm;
    private final NanoClock nanoClock;

    SendStage(
        final Transport transport, final HandOverArena arena, final int[] members, final int groupCount,
        final NodeCounters counters, final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        this.transport = transport;
        this.arena = arena;
        this.members = members;
        this.counters = counters;
        lastHeartbeatNs = new long[groupCount][members.length];
        lastHeartbeatTerm = new long[groupCount][members.length];
    }

    @Override
    public void onEvent(final SendEvent event, final long sequence, final boolean endOfBatch)
    {
        Message message = event.message;
        if (null != event.overflow)
        {
            message = event.overflow;
            event.overflow = null;
        }
        else if (event.entriesLength > 0)
        {
            message = append.copyHeaderFrom(event.message);
            message.entries.wrap(arena.readBuffer(), event.entriesOffset, event.entriesLength);
        }
        if (MessageType.HEARTBEAT == message.type)
        {
            recordHeartbeat(message);
        }
        // The transport encodes synchronously and keeps no reference.
        transport.send(message);
        if (event.arenaEnd > 0)
        {
            append.entries.clear();
            arena.freeUpTo(event.arenaEnd);
        }
    }

    private void recordHeartbeat(final Message message)
    {
        final int groupId = message.groupId;
        final int peer = peerIndex(message.to);
        if (peer < 0 || groupId < 0 || groupId >= lastHeartbeatNs.length)
        {
            return;
        }
        final long nowNs = nanoClock.nanoTime();
        final NodeCounters.Group group = counters.groups[groupId];
        group.heartbeatsSent.increment();
        if (lastHeartbeatTerm[groupId][peer] == message.term && lastHeartbeatNs[groupId][peer] != 0)
        {
            final long gapUs = (nowNs - lastHeartbeatNs[groupId][peer]) / 1000;
            final AtomicCounter max = group.maxHeartbeatGapUs[peer];
            if (null != max && gapUs > max.get())
            {
                max.setOrdered(gapUs);
            }
        }
        lastHeartbeatNs[groupId][peer] = nowNs;
        lastHeartbeatTerm[groupId][peer] = message.term;
    }

    private int peerIndex(final int memberId)
    {
        for (int i = 0; i < members.length; i++)
        {
            if (members[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }
}
