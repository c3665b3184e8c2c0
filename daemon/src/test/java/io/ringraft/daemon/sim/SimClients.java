package io.ringraft.daemon.sim;

import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvResults;
import io.ringraft.linearizability.History;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Clients of the KV store, as the daemon's clients use it: each has one request outstanding, sends it to the member
 * it believes leads the key's group (following NOT_LEADER hints), gives up after a deadline and tries again with a
 * new request. Every request goes into the {@link History} with its outcome: a write answered anything but OK may
 * have taken effect or not (indeterminate), a read answered anything but OK did not happen.
 */
final class SimClients
{
    private final SimSettings settings;
    private final Random random;
    private final History history;
    private final ApplyLedger ledger;
    private final Timeline timeline;
    private final byte[][] keys;
    private final Client[] clients;
    private long writesAcknowledged;
    private long readsAnswered;
    /** Per group, when a write invoked last was acknowledged, by invocation time: -1 before any. */
    private final long[] newestAcknowledgedInvocationNs;
    private boolean stopped;

    SimClients(final SimSettings settings, final Random random, final History history, final ApplyLedger ledger,
        final Timeline timeline)
    {
        this.settings = settings;
        this.random = random;
        this.history = history;
        this.ledger = ledger;
        this.timeline = timeline;
        keys = keysCoveringEveryGroup(settings.keys(), settings.groups());
        newestAcknowledgedInvocationNs = new long[settings.groups()];
        java.util.Arrays.fill(newestAcknowledgedInvocationNs, -1);
        clients = new Client[settings.clients()];
        for (int c = 0; c < clients.length; c++)
        {
            clients[c] = new Client(c);
        }
    }

    /** {@code count} keys, more if needed so that every group has one: the calm phase needs a write in each. */
    private static byte[][] keysCoveringEveryGroup(final int count, final int groups)
    {
        final java.util.List<byte[]> chosen = new java.util.ArrayList<>();
        final boolean[] covered = new boolean[groups];
        int uncovered = groups;
        for (int k = 0; chosen.size() < count || uncovered > 0; k++)
        {
            final byte[] key = ("key-" + k).getBytes(StandardCharsets.US_ASCII);
            final int group = KeyPartitioner.groupOf(key, groups);
            if (chosen.size() < count || !covered[group])
            {
                chosen.add(key);
                uncovered -= covered[group] ? 0 : 1;
                covered[group] = true;
            }
        }
        return chosen.toArray(new byte[0][]);
    }

    byte[][] keys()
    {
        return keys;
    }

    long writesAcknowledged()
    {
        return writesAcknowledged;
    }

    long readsAnswered()
    {
        return readsAnswered;
    }

    /** Whether a write to {@code group} invoked at or after {@code sinceNs} was acknowledged. */
    boolean acknowledgedSince(final int group, final long sinceNs)
    {
        return newestAcknowledgedInvocationNs[group] >= sinceNs;
    }

    /** No new requests from now on; those outstanding still complete or time out. */
    void stop()
    {
        stopped = true;
    }

    /** Whether no request is outstanding. */
    boolean idle()
    {
        for (final Client client : clients)
        {
            if (null != client.pending)
            {
                return false;
            }
        }
        return true;
    }

    /** The earliest time a client wants to act (issue a request or give one up). */
    long nextActionNs()
    {
        long next = Long.MAX_VALUE;
        for (final Client client : clients)
        {
            next = Math.min(next, client.nextActionNs);
        }
        return next;
    }

    /** Lets every client whose time has come act: give up on a late request, or send the next. */
    void act(final long nowNs, final SimMember[] members)
    {
        for (final Client client : clients)
        {
            if (client.nextActionNs <= nowNs)
            {
                client.act(nowNs, members);
            }
        }
    }

    /** Completions arrive during stage runs; this takes them in, in client order. */
    void collect(final long nowNs)
    {
        for (final Client client : clients)
        {
            client.collect(nowNs);
        }
    }

    private final class Client
    {
        private final int id;
        private final int[] leaderGuess;
        /** The newest value this client knows of per key: what its compare-and-set expects. */
        private final byte[][] lastSeen;
        private int keyIndex;
        private byte[] value;
        private long nextActionNs;
        private CompletableFuture<Result> pending;
        private History.Call call;
        private byte[] payload;
        private byte kind;
        private int group;
        private long invokedNs;
        private int sequence;

        Client(final int id)
        {
            this.id = id;
            leaderGuess = new int[settings.groups()];
            lastSeen = new byte[keys.length][];
            nextActionNs = random.nextInt(50) * SimSettings.MS;
        }

        void act(final long nowNs, final SimMember[] members)
        {
            if (null != pending)
            {
                // The node never answered (it crashed, or the answer is lost with it): the client stops waiting.
                timeline.add("client " + id + " gives up on " + KvCommands.opName(kind) + " (no answer)");
                complete(null, nowNs);
                return;
            }
            keyIndex = random.nextInt(keys.length);
            final byte[] key = keys[keyIndex];
            if (stopped)
            {
                nextActionNs = Long.MAX_VALUE;
                return;
            }
            group = KeyPartitioner.groupOf(key, settings.groups());
            final SimMember target = target(members);
            if (null == target)
            {
                nextActionNs = nowNs + 10 * SimSettings.MS;
                return;
            }
            value = ("c" + id + "-" + sequence++).getBytes(StandardCharsets.US_ASCII);
            final RingraftNode node = target.node();
            final int choice = random.nextInt(10);
            if (choice < 3)
            {
                kind = KvCommands.GET;
                call = history.get(id, key);
                pending = node.read(group, KvCommands.get(key));
            }
            else
            {
                if (choice < 6)
                {
                    kind = KvCommands.PUT;
                    payload = KvCommands.put(key, value);
                    call = history.put(id, key, value);
                }
                else if (choice < 7)
                {
                    kind = KvCommands.DELETE;
                    payload = KvCommands.delete(key);
                    call = history.delete(id, key);
                }
                else
                {
                    kind = KvCommands.COMPARE_AND_SET;
                    final byte[] expected = lastSeen[keyIndex];
                    payload = KvCommands.compareAndSet(key, expected, value);
                    call = history.compareAndSet(id, key, expected, value);
                }
                pending = node.propose(group, payload);
            }
            invokedNs = nowNs;
            // Past the node's own request timeout, the client stops waiting.
            nextActionNs = nowNs + settings.requestTimeoutNs() + 200 * SimSettings.MS;
        }

        private SimMember target(final SimMember[] members)
        {
            final int guess = leaderGuess[group];
            for (final SimMember member : members)
            {
                if (member.id == guess && member.up())
                {
                    return member;
                }
            }
            final int start = random.nextInt(members.length);
            for (int i = 0; i < members.length; i++)
            {
                final SimMember member = members[(start + i) % members.length];
                if (member.up())
                {
                    return member;
                }
            }
            return null;
        }

        void collect(final long nowNs)
        {
            if (null != pending && pending.isDone())
            {
                complete(pending.getNow(null), nowNs);
            }
        }

        private void complete(final Result result, final long nowNs)
        {
            pending = null;
            nextActionNs = nowNs + random.nextInt(20) * SimSettings.MS;
            if (null == result || Status.OK != result.status())
            {
                if (null != result && result.leaderHint() > 0)
                {
                    leaderGuess[group] = result.leaderHint();
                }
                else if (null != result && Status.NOT_LEADER == result.status())
                {
                    leaderGuess[group] = 0;
                }
                // A read that was not answered changed nothing; a write refused (NOT_LEADER, BACK_PRESSURED) never
                // entered the log or was replaced there by another leader's entry, which the node promises; any other
                // answer, or none, leaves it open whether the write took effect.
                if (KvCommands.GET == kind || (null != result &&
                    (Status.NOT_LEADER == result.status() || Status.BACK_PRESSURED == result.status())))
                {
                    call.failed();
                }
                else
                {
                    call.timedOut();
                }
                return;
            }
            final byte[] answer = result.value();
            final int code = KvResults.code(answer);
            switch (kind)
            {
                case KvCommands.GET ->
                {
                    readsAnswered++;
                    lastSeen[keyIndex] = KvResults.OK == code ? KvResults.value(answer) : null;
                    call.okGet(lastSeen[keyIndex]);
                }
                case KvCommands.PUT ->
                {
                    acknowledged(result);
                    lastSeen[keyIndex] = value;
                    call.ok();
                }
                case KvCommands.DELETE ->
                {
                    acknowledged(result);
                    lastSeen[keyIndex] = null;
                    call.okDelete(KvResults.OK == code);
                }
                default ->
                {
                    acknowledged(result);
                    if (KvResults.OK == code)
                    {
                        lastSeen[keyIndex] = value;
                    }
                    call.okCompareAndSet(KvResults.OK == code);
                }
            }
        }

        private void acknowledged(final Result result)
        {
            writesAcknowledged++;
            newestAcknowledgedInvocationNs[group] = Math.max(newestAcknowledgedInvocationNs[group], invokedNs);
            ledger.acknowledged(group, result.index(), payload);
        }
    }
}
