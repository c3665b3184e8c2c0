package io.ringraft.daemon.session;

import io.ringraft.daemon.kv.KvCommands;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded stream of log payloads as clients with sessions would write them, retries, stale and lost answers,
 * sessionless commands, closes and garbage included, with leader timestamps that mostly rise, sometimes jump ahead
 * (sessions expire) and sometimes go back (a new leader's clock is behind).
 */
final class RandomLog
{
    private final Random random;
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(256);
    private final List<long[]> sessions = new ArrayList<>(); // {id, next sequence, respondedTo}
    private final int[] outcomes = new int[SessionOutcome.MALFORMED + 1];
    private long timestamp = 1_000;
    private long pendingOpen;

    RandomLog(final Random random)
    {
        this.random = random;
    }

    long timestamp()
    {
        return timestamp;
    }

    /** How often each outcome was answered. */
    int[] outcomes()
    {
        return outcomes.clone();
    }

    /** The payload of the entry at {@code index}. */
    byte[] next(final long index)
    {
        final int roll = random.nextInt(100);
        timestamp += roll < 2 ? -5_000 : roll < 3 ? 30_000 : random.nextInt(300);
        pendingOpen = 0;
        final int length;
        if (roll < 10 || sessions.isEmpty())
        {
            pendingOpen = index;
            length = SessionRecords.encodeOpen(record, 0, index, 1_000 + random.nextInt(20_000));
        }
        else if (roll < 14)
        {
            length = SessionRecords.encodeClose(record, 0, sessions.remove(random.nextInt(sessions.size()))[0]);
        }
        else if (roll < 18)
        {
            final byte[] garbage = new byte[random.nextInt(40)];
            random.nextBytes(garbage);
            return garbage;
        }
        else if (roll < 22)
        {
            length = command(SessionRecords.NO_SESSION, 0, 0);
        }
        else
        {
            final long[] session = sessions.get(random.nextInt(sessions.size()));
            final boolean retry = session[1] > 1 && random.nextInt(10) < 3;
            final long sequence = retry ? Math.max(1, session[1] - 1 - random.nextInt(8)) : session[1]++;
            if (random.nextInt(4) == 0)
            {
                session[2] = Math.max(session[2], session[1] - 1 - random.nextInt(6));
            }
            length = command(random.nextInt(20) == 0 ? 7_777_777 : session[0], sequence, session[2]);
        }
        return Arrays.copyOf(record.byteArray(), length);
    }

    private int command(final long sessionId, final long sequence, final long respondedTo)
    {
        final byte[] key = ("key-" + random.nextInt(5)).getBytes(StandardCharsets.US_ASCII);
        final byte[] value = ("v" + random.nextInt(3)).getBytes(StandardCharsets.US_ASCII);
        final byte[] command = switch (random.nextInt(3))
        {
            case 0 -> KvCommands.put(key, value);
            case 1 -> KvCommands.delete(key);
            default -> KvCommands.compareAndSet(key, random.nextBoolean() ? null : value, value);
        };
        return SessionRecords.encodeCommand(
            record, 0, sessionId, sequence, respondedTo, new UnsafeBuffer(command), 0, command.length);
    }

    /** The answer to the payload {@link #next} gave last. */
    void answered(final byte[] result)
    {
        final int outcome = SessionRecords.outcome(result);
        outcomes[outcome]++;
        if (SessionOutcome.OPENED == outcome)
        {
            sessions.add(new long[]{pendingOpen, 1, 0});
        }
    }
}
