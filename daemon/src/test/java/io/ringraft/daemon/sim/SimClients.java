package io.ringraft.daemon.sim;

import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvResults;
import io.ringraft.daemon.session.SessionOutcome;
import io.ringraft.daemon.session.SessionRecords;
import io.ringraft.linearizability.History;
import io.ringraft.pipeline.Result;
import io.ringraft.pipeline.RingraftNode;
import io.ringraft.pipeline.Status;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Clients of the KV store, as the daemon's KvClient uses it: each has one operation outstanding and sends it to the
 * member it believes leads the key's group (following NOT_LEADER hints). A write goes in the client's session of the
 * group (opened through the log, its id the SessionOpen entry's index) with the session's next sequence and
 * respondedTo; an attempt that times out, is refused or meets a crash is retried with the same sequence until the
 * operation's deadline. Every operation goes into the {@link History} once, with its outcome: a write acknowledged
 * (APPLIED or REPLAYED) took effect exactly once; a write given up took effect or not (indeterminate) when an attempt
 * may have been applied, else not; a read answered anything but OK did not happen.
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
    private long sessionsOpened;
    private long replayed;
    private long sessionsUnknown;
    private long outcomesUnknown;
    /** Per group, when a write invoked last was acknowledged, by invocation time: -1 before any. */
    private final long[] newestAcknowledgedInvocationNs;
    private boolean stopped;
    /** Reads sent straight to a member at a moment the simulator chooses (a leader just elected). */
    private final java.util.ArrayList<Probe> probes = new java.util.ArrayList<>();
    /** Each probe read is a process of its own in the history, numbered after the clients. */
    private int nextProbeProcess = 1_000;
    /** Per group, how many writes were acknowledged: the simulator acts on a new one (see {@link #acknowledged}). */
    private final long[] acknowledgedWrites;

    /** A read sent to one member, answered or given up once, as a client's. */
    private record Probe(History.Call call, CompletableFuture<Result> pending, long deadlineNs)
    {
    }

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
        acknowledgedWrites = new long[settings.groups()];
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

    SimOutcome.SessionCounts sessionCounts()
    {
        return new SimOutcome.SessionCounts(sessionsOpened, replayed, sessionsUnknown, outcomesUnknown);
    }

    /** Whether a write to {@code group} invoked at or after {@code sinceNs} was acknowledged. */
    boolean acknowledgedSince(final int group, final long sinceNs)
    {
        return newestAcknowledgedInvocationNs[group] >= sinceNs;
    }

    /** How many writes to {@code group} were acknowledged so far. */
    long acknowledged(final int group)
    {
        return acknowledgedWrites[group];
    }

    /**
     * Reads every key of {@code group} from {@code member} now, as clients that picked it would: right after it was
     * elected, these are the reads a leader must not serve before it has committed an entry of its term (its commit
     * index may lag writes its predecessor acknowledged).
     */
    void probeReads(final long nowNs, final SimMember member, final int group)
    {
        if (stopped)
        {
            return;
        }
        int sent = 0;
        for (final byte[] key : keys)
        {
            if (KeyPartitioner.groupOf(key, settings.groups()) == group)
            {
                final History.Call call = history.get(nextProbeProcess++, key);
                probes.add(new Probe(call, member.node().read(group, KvCommands.get(key)),
                    nowNs + settings.requestTimeoutNs() + 200 * SimSettings.MS));
                sent++;
            }
        }
        timeline.add("probe: " + sent + " reads of group " + group + " sent to m" + member.id);
    }

    /** No new requests from now on; those outstanding still complete or time out. */
    void stop()
    {
        stopped = true;
    }

    /** Whether no operation is under way. */
    boolean idle()
    {
        if (!probes.isEmpty())
        {
            return false;
        }
        for (final Client client : clients)
        {
            if (null != client.call)
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
        for (final Probe probe : probes)
        {
            next = Math.min(next, probe.deadlineNs());
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
        for (int i = 0; i < probes.size(); i++)
        {
            final Probe probe = probes.get(i);
            final boolean done = probe.pending().isDone();
            if (done || probe.deadlineNs() <= nowNs)
            {
                final Result result = done ? probe.pending().getNow(null) : null;
                if (null != result && Status.OK == result.status())
                {
                    readsAnswered++;
                    final byte[] answer = result.value();
                    probe.call().okGet(KvResults.OK == KvResults.code(answer) ? KvResults.value(answer) : null);
                }
                else
                {
                    // Refused, or never answered (the member crashed): a read that changed nothing.
                    probe.call().failed();
                }
                probes.remove(i--);
            }
        }
    }

    private final class Client
    {
        private final int id;
        private final int[] leaderGuess;
        /** The newest value this client knows of per key: what its compare-and-set expects. */
        private final byte[][] lastSeen;
        /** Per group, as KvClient holds it: the session's id (0 while none is open), next sequence, respondedTo. */
        private final long[] sessionId;
        private final long[] nextSequence;
        private final long[] respondedTo;
        private int keyIndex;
        private byte[] value;
        private long nextActionNs;
        private CompletableFuture<Result> pending;
        /** The operation under way through all its attempts, null between operations. */
        private History.Call call;
        private byte[] command;
        private byte[] payload;
        private byte kind;
        private int group;
        private long invokedNs;
        private long deadlineNs;
        private int values;
        private boolean opening;
        private long nonce;
        /** The write's session and sequence once assigned: every retry reuses them. */
        private long commandSession;
        private long sequence;
        /** Whether an attempt of the write may have been applied (it was not refused and not answered). */
        private boolean mayHaveApplied;

        Client(final int id)
        {
            this.id = id;
            leaderGuess = new int[settings.groups()];
            lastSeen = new byte[keys.length][];
            sessionId = new long[settings.groups()];
            nextSequence = new long[settings.groups()];
            respondedTo = new long[settings.groups()];
            nextActionNs = random.nextInt(50) * SimSettings.MS;
        }

        void act(final long nowNs, final SimMember[] members)
        {
            if (null != pending)
            {
                // The node never answered (it crashed, or the answer is lost with it): the client stops waiting.
                timeline.add("client " + id + " gives up on an attempt of " + KvCommands.opName(kind) + " (no answer)");
                pending = null;
                attemptFailed(nowNs, !opening);
                return;
            }
            if (null == call && !begin(nowNs))
            {
                return;
            }
            send(nowNs, members);
        }

        /** Chooses the next operation; false when the clients have stopped. */
        private boolean begin(final long nowNs)
        {
            keyIndex = random.nextInt(keys.length);
            final byte[] key = keys[keyIndex];
            if (stopped)
            {
                nextActionNs = Long.MAX_VALUE;
                return false;
            }
            group = KeyPartitioner.groupOf(key, settings.groups());
            value = ("c" + id + "-" + values++).getBytes(StandardCharsets.US_ASCII);
            final int choice = random.nextInt(10);
            if (choice < 3)
            {
                kind = KvCommands.GET;
                command = KvCommands.get(key);
                call = history.get(id, key);
            }
            else if (choice < 6)
            {
                kind = KvCommands.PUT;
                command = KvCommands.put(key, value);
                call = history.put(id, key, value);
            }
            else if (choice < 7)
            {
                kind = KvCommands.DELETE;
                command = KvCommands.delete(key);
                call = history.delete(id, key);
            }
            else
            {
                kind = KvCommands.COMPARE_AND_SET;
                final byte[] expected = lastSeen[keyIndex];
                command = KvCommands.compareAndSet(key, expected, value);
                call = history.compareAndSet(id, key, expected, value);
            }
            invokedNs = nowNs;
            // A few attempts' worth, as KvClient's request timeout spans its attempts.
            deadlineNs = nowNs + 3 * (settings.requestTimeoutNs() + 200 * SimSettings.MS);
            commandSession = 0;
            sequence = 0;
            mayHaveApplied = false;
            return true;
        }

        /** One attempt: a read, the group's SessionOpen while it has no session, or the write's SessionCommand. */
        private void send(final long nowNs, final SimMember[] members)
        {
            final SimMember target = target(members);
            if (null == target)
            {
                retryOrGiveUp(nowNs, 10 * SimSettings.MS);
                return;
            }
            final RingraftNode node = target.node();
            opening = false;
            if (KvCommands.GET == kind)
            {
                pending = node.read(group, command);
            }
            else if (0 == sessionId[group])
            {
                opening = true;
                nonce = random.nextLong();
                final UnsafeBuffer open = new UnsafeBuffer(new byte[SessionRecords.OPEN_LENGTH]);
                SessionRecords.encodeOpen(open, 0, nonce, settings.sessionTimeoutMs());
                pending = node.propose(group, open.byteArray());
            }
            else
            {
                if (0 == sequence)
                {
                    commandSession = sessionId[group];
                    sequence = nextSequence[group]++;
                }
                final UnsafeBuffer record = new UnsafeBuffer(new byte[SessionRecords.commandLength(command.length)]);
                SessionRecords.encodeCommand(record, 0, commandSession, sequence, respondedTo[group],
                    new UnsafeBuffer(command), 0, command.length);
                payload = record.byteArray();
                pending = node.propose(group, payload);
            }
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
                final Result result = pending.getNow(null);
                pending = null;
                complete(result, nowNs);
            }
        }

        /** An attempt failed; {@code mayHaveApplied}: the write's entry may still commit. */
        private void attemptFailed(final long nowNs, final boolean mayHaveApplied)
        {
            if (KvCommands.GET == kind)
            {
                // A read that was not answered changed nothing.
                finish(nowNs);
                call.failed();
                call = null;
                return;
            }
            this.mayHaveApplied |= mayHaveApplied && !opening;
            retryOrGiveUp(nowNs, (5 + random.nextInt(30)) * SimSettings.MS);
        }

        private void retryOrGiveUp(final long nowNs, final long backoffNs)
        {
            if (nowNs + backoffNs - deadlineNs < 0)
            {
                nextActionNs = nowNs + backoffNs;
                return;
            }
            giveUp(nowNs);
        }

        /**
         * As KvClient: a write given up is done (its sequence counts as answered, so a late entry of it is never
         * applied), and its outcome is unknown if an attempt may have been applied; else it did not happen.
         */
        private void giveUp(final long nowNs)
        {
            timeline.add("client " + id + " gives up on " + KvCommands.opName(kind) +
                (mayHaveApplied ? " (outcome unknown)" : " (not applied)"));
            if (KvCommands.GET != kind)
            {
                done();
            }
            finish(nowNs);
            if (mayHaveApplied)
            {
                outcomesUnknown++;
                call.timedOut();
            }
            else
            {
                call.failed();
            }
            call = null;
        }

        private void done()
        {
            if (0 != sequence && commandSession == sessionId[group])
            {
                respondedTo[group] = Math.max(respondedTo[group], sequence);
            }
        }

        private void finish(final long nowNs)
        {
            nextActionNs = nowNs + random.nextInt(20) * SimSettings.MS;
        }

        private void complete(final Result result, final long nowNs)
        {
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
                // A write refused (NOT_LEADER, BACK_PRESSURED) never entered the log or was replaced there by another
                // leader's entry, which the node promises; any other answer, or none, leaves it open whether the
                // attempt's entry commits.
                attemptFailed(nowNs, null == result ||
                    (Status.NOT_LEADER != result.status() && Status.BACK_PRESSURED != result.status()));
                return;
            }
            final byte[] answer = result.value();
            if (KvCommands.GET == kind)
            {
                readsAnswered++;
                lastSeen[keyIndex] = KvResults.OK == KvResults.code(answer) ? KvResults.value(answer) : null;
                finish(nowNs);
                call.okGet(lastSeen[keyIndex]);
                call = null;
                return;
            }
            final int outcome = SessionRecords.outcome(answer);
            if (opening)
            {
                if (SessionOutcome.OPENED != outcome || answer.length < SessionRecords.OPENED_LENGTH)
                {
                    throw ledger.violated(new PropertyViolation(Property.UNEXPECTED_EXCEPTION, "group " + group +
                        " answered " + SessionOutcome.name(outcome) + " to a SessionOpen"));
                }
                if (SessionRecords.openedNonce(new UnsafeBuffer(answer), 0) == nonce)
                {
                    timeline.add("client " + id + " opens session " + result.index() + " in group " + group);
                    sessionId[group] = result.index();
                    sessionsOpened++;
                    nextSequence[group] = 1;
                    respondedTo[group] = 0;
                }
                opening = false;
                nextActionNs = nowNs;
                return;
            }
            switch (outcome)
            {
                case SessionOutcome.APPLIED, SessionOutcome.REPLAYED -> acknowledged(result, answer, nowNs);
                // Not applied: the session saves as many answers as it may.
                case SessionOutcome.TOO_MANY_PENDING -> retryOrGiveUp(nowNs, 10 * SimSettings.MS);
                case SessionOutcome.SESSION_UNKNOWN ->
                {
                    sessionsUnknown++;
                    if (sessionId[group] == commandSession)
                    {
                        sessionId[group] = 0; // expired or evicted: the next write opens a new one
                    }
                    if (mayHaveApplied)
                    {
                        giveUp(nowNs);
                    }
                    else
                    {
                        // No attempt of it can have been applied: again in a new session, with a new sequence.
                        sequence = 0;
                        retryOrGiveUp(nowNs, 0);
                    }
                }
                case SessionOutcome.ANSWER_DISCARDED ->
                {
                    mayHaveApplied = true;
                    giveUp(nowNs);
                }
                default -> throw ledger.violated(new PropertyViolation(Property.UNEXPECTED_EXCEPTION, "group " +
                    group + " answered " + SessionOutcome.name(outcome) + " to a SessionCommand"));
            }
        }

        private void acknowledged(final Result result, final byte[] answer, final long nowNs)
        {
            final int code = KvResults.code(java.util.Arrays.copyOfRange(answer, SessionRecords.RESULT_BODY_OFFSET,
                answer.length));
            writesAcknowledged++;
            acknowledgedWrites[group]++;
            replayed += SessionOutcome.REPLAYED == SessionRecords.outcome(answer) ? 1 : 0;
            newestAcknowledgedInvocationNs[group] = Math.max(newestAcknowledgedInvocationNs[group], invokedNs);
            ledger.acknowledged(group, result.index(), payload);
            done();
            finish(nowNs);
            switch (kind)
            {
                case KvCommands.PUT ->
                {
                    lastSeen[keyIndex] = value;
                    call.ok();
                }
                case KvCommands.DELETE ->
                {
                    lastSeen[keyIndex] = null;
                    call.okDelete(KvResults.OK == code);
                }
                default ->
                {
                    if (KvResults.OK == code)
                    {
                        lastSeen[keyIndex] = value;
                    }
                    call.okCompareAndSet(KvResults.OK == code);
                }
            }
            call = null;
        }
    }
}
