package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.testing.MemoryLog;
import io.ringraft.raft.testing.MemorySnapshots;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Drives a few {@link RaftNode}s message by message: a FIFO network the test can filter, Readies persisted to a
 * {@link MemoryLog} at once (or held back per member), committed entries "applied" into a list per member.
 */
final class TestCluster
{
    static final int CLUSTER_ID = 7;
    static final int GROUP_ID = 3;
    private static final int MAX_STEPS = 100_000;

    static final class Member
    {
        final int id;
        final MemoryLog log = new MemoryLog();
        final MemorySnapshots snapshots = new MemorySnapshots();
        final List<String> applied = new ArrayList<>();
        final List<ReadState> readStates = new ArrayList<>();
        final List<Ready> heldReadies = new ArrayList<>();
        final List<Long> snapshotRequests = new ArrayList<>();
        RaftConfig config;
        Membership bootstrap;
        RaftNode node;
        boolean holdPersistence;
        byte[] stateMachineSnapshot;

        Member(final int id)
        {
            this.id = id;
        }
    }

    final TreeMap<Integer, Member> members = new TreeMap<>();
    final LinkedList<Message> network = new LinkedList<>();
    /** Every entry any member applied, by index: two members applying different entries at one index is a bug. */
    final Map<Long, String> appliedByIndex = new HashMap<>();
    final List<Message> sent = new ArrayList<>();
    Predicate<Message> drop = m -> false;
    private final Consumer<RaftConfig> configurer;

    TestCluster(final Consumer<RaftConfig> configurer, final int... ids)
    {
        this.configurer = configurer;
        final Membership bootstrap = Membership.ofVoters(ids);
        for (final int id : ids)
        {
            add(id, bootstrap);
        }
    }

    TestCluster(final int... ids)
    {
        this(c -> { }, ids);
    }

    static RaftConfig config(final int id)
    {
        return new RaftConfig().clusterId(CLUSTER_ID).groupId(GROUP_ID).memberId(id).electionTicks(10)
            .heartbeatTicks(2).random(new Random(id * 7919L));
    }

    Member add(final int id, final Membership bootstrap)
    {
        final Member member = new Member(id);
        member.config = config(id);
        configurer.accept(member.config);
        member.bootstrap = bootstrap;
        member.node = new RaftNode(member.config, member.log, member.snapshots, HardState.INITIAL, bootstrap);
        members.put(id, member);
        return member;
    }

    /** Restarts a member from what it persisted, losing everything in flight. */
    Member restart(final int id)
    {
        final Member member = members.get(id);
        member.heldReadies.clear();
        member.config = config(id);
        configurer.accept(member.config);
        member.applied.clear();
        member.node = new RaftNode(member.config, member.log, member.snapshots, member.log.hardState(),
            member.bootstrap);
        return member;
    }

    RaftNode node(final int id)
    {
        return members.get(id).node;
    }

    Member member(final int id)
    {
        return members.get(id);
    }

    void process(final int id)
    {
        final Member member = members.get(id);
        int guard = 0;
        while (member.node.hasReady())
        {
            if (++guard > MAX_STEPS)
            {
                throw new IllegalStateException("member " + id + " never runs out of Readies");
            }
            handle(member, member.node.ready());
        }
    }

    private void handle(final Member member, final Ready ready)
    {
        enqueue(ready.messages());
        if (ready.mustPersist())
        {
            if (member.holdPersistence)
            {
                member.heldReadies.add(ready.copy()); // the core reuses its Ready
            }
            else
            {
                persist(member, ready);
            }
        }
        else
        {
            enqueue(ready.messagesAfterPersist());
        }
        if (ready.hasApply())
        {
            apply(member, ready.applyFrom(), ready.applyTo());
        }
        member.readStates.addAll(ready.readStates());
        if (ready.snapshotRequestIndex() > 0)
        {
            member.snapshotRequests.add(ready.snapshotRequestIndex());
        }
    }

    private void persist(final Member member, final Ready ready)
    {
        member.log.persist(ready);
        if (null != ready.snapshot())
        {
            final byte[] data = new byte[ready.snapshot().length()];
            ready.snapshot().data().getBytes(0, data);
            member.stateMachineSnapshot = data;
            member.snapshots.save(ready.snapshot().index(), ready.snapshot().term(), ready.snapshot().membership(),
                data);
            member.applied.clear();
            member.applied.add("snapshot@" + ready.snapshot().index());
        }
        enqueue(ready.messagesAfterPersist());
        member.node.persisted(ready.id());
    }

    /** Persists the Readies a member has been holding back, in order. */
    void releasePersistence(final int id)
    {
        final Member member = members.get(id);
        member.holdPersistence = false;
        final List<Ready> held = new ArrayList<>(member.heldReadies);
        member.heldReadies.clear();
        for (final Ready ready : held)
        {
            persist(member, ready);
        }
    }

    private void apply(final Member member, final long from, final long to)
    {
        member.log.read(from, to, Long.MAX_VALUE, (index, term, type, timestamp, payload, offset, length) ->
        {
            final String value = type + ":" + term + ":" + payload.getStringWithoutLengthAscii(offset, length);
            final String previous = appliedByIndex.putIfAbsent(index, value);
            if (null != previous && !previous.equals(value))
            {
                throw new AssertionError("member " + member.id + " applied " + value + " at " + index +
                    " where another applied " + previous);
            }
            if (type == EntryType.NORMAL)
            {
                member.applied.add(payload.getStringWithoutLengthAscii(offset, length));
            }
        });
        member.node.applied(to);
    }

    private void enqueue(final List<Message> messages)
    {
        for (final Message original : messages)
        {
            // The core reuses its messages after its next ready(): the network carries copies.
            final Message message = new Message().copyFrom(original);
            sent.add(message);
            if (!drop.test(message))
            {
                network.add(message);
            }
        }
    }

    /** Delivers one message; @return false when the network is empty. */
    boolean deliverOne()
    {
        return !network.isEmpty() && deliver(0);
    }

    /** Delivers the {@code position}th message in flight (out of order delivery). */
    boolean deliver(final int position)
    {
        final Message message = network.remove(position);
        final Member to = members.get(message.to);
        if (null != to && !drop.test(message))
        {
            to.node.step(message);
            process(to.id);
        }
        return true;
    }

    /** Processes every member and delivers messages until nothing moves. */
    void stabilize()
    {
        for (int steps = 0; steps < MAX_STEPS; steps++)
        {
            for (final int id : members.keySet())
            {
                process(id);
            }
            if (!deliverOne())
            {
                return;
            }
        }
        throw new IllegalStateException("cluster did not stabilize within " + MAX_STEPS + " steps");
    }

    void tick(final int id)
    {
        members.get(id).node.tick();
        process(id);
    }

    void tickAll(final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            for (final int id : members.keySet())
            {
                members.get(id).node.tick();
            }
            stabilize();
        }
    }

    /**
     * With lease reads, a started member refuses votes for an election timeout (it may have acknowledged a leader
     * before a restart). Lets that pass on every member, discarding whatever they send meanwhile, so that
     * {@link #elect} can work as in a cluster without leases.
     */
    void expireStartupLeases()
    {
        for (final Member member : members.values())
        {
            for (int i = 0; i < member.config.electionTicks(); i++)
            {
                member.node.tick();
                process(member.id);
            }
        }
        network.clear();
        sent.clear();
    }

    /** Ticks only {@code id} until it campaigns and wins (others stay quiet); fails if it cannot. */
    void elect(final int id)
    {
        for (int i = 0; i < 100; i++)
        {
            tick(id);
            stabilize();
            if (node(id).role() == Role.LEADER)
            {
                stabilize();
                return;
            }
        }
        throw new AssertionError("member " + id + " did not become leader: " + node(id).role());
    }

    long propose(final int id, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        final long result = node(id).propose(new UnsafeBuffer(bytes), 0, bytes.length, 0);
        process(id);
        return result;
    }

    /** Cuts every message from or to {@code id}. */
    void isolate(final int id)
    {
        final Predicate<Message> previous = drop;
        drop = previous.or(m -> m.from == id || m.to == id);
    }

    void heal()
    {
        drop = m -> false;
    }

    List<Message> sentOfType(final MessageType type)
    {
        return sent.stream().filter(m -> m.type == type).toList();
    }
}
