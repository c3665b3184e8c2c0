package io.ringraft.log;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.LogReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ringraft.log.LogFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader thread keeps reading while the writer appends, rolls segments and replaces suffixes with
 * entries of higher terms (conflicts). Each payload is derived from (index, term), so whatever history a
 * read lands in, a torn or mixed read shows up as a payload that does not match its own index and term.
 */
class ConcurrentReadTest
{
    @TempDir
    Path dir;

    @Test
    void readsNeverMixHistoriesWhileSuffixesAreReplaced() throws Exception
    {
        final long writerDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        // Visibility to readers does not depend on fsync; without it the writer races the reader far more often.
        try (DurableLog log = DurableLog.open(config(dir).fsyncPolicy(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS)))
        {
            final AtomicBoolean writing = new AtomicBoolean(true);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong entriesChecked = new AtomicLong();
            final Thread reader = new Thread(() -> read(log, writing, failure, entriesChecked));
            reader.start();
            try
            {
                write(log, writerDeadline);
            }
            finally
            {
                writing.set(false);
                reader.join(TimeUnit.SECONDS.toMillis(20));
            }
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
            assertThat(entriesChecked.get()).isGreaterThan(1000);
        }
    }

    private static void write(final DurableLog log, final long deadline)
    {
        final Random random = new Random(11);
        final EntryBatch batch = new EntryBatch();
        long term = 1;
        while (System.nanoTime() < deadline)
        {
            long from = log.writtenLastIndex() + 1;
            if (from > 20 && random.nextInt(4) == 0)
            {
                from -= 1 + random.nextInt(15);
                term++;
            }
            batch.clear();
            for (long index = from; index < from + 1 + random.nextInt(20); index++)
            {
                final byte[] payload = LogFixtures.payload(index, term, 400);
                batch.append(index, term, EntryType.NORMAL, term, new UnsafeBuffer(payload), 0, payload.length);
            }
            log.append(batch);
            log.force();
        }
    }

    private static void read(
        final DurableLog log, final AtomicBoolean writing, final AtomicReference<Throwable> failure,
        final AtomicLong entriesChecked)
    {
        final Random random = new Random(12);
        final long[] previousTerm = new long[1];
        try
        {
            while (writing.get())
            {
                final long last = log.lastIndex();
                if (last < 1)
                {
                    continue;
                }
                // Near the tail, where suffixes get replaced.
                final long from = Math.max(1, last - random.nextInt(40));
                previousTerm[0] = 0;
                log.read(from, from + 50, 16 * 1024, (index, term, type, timestamp, payload, offset, length) ->
                {
                    if (timestamp != term || term < previousTerm[0] ||
                        !Arrays.equals(LogFixtures.copy(payload, offset, length), LogFixtures.payload(index, term, 400)))
                    {
                        throw new AssertionError("entry " + index + " of term " + term + " read torn or mixed");
                    }
                    previousTerm[0] = term;
                    entriesChecked.incrementAndGet();
                });
                final long term = log.term(from);
                if (term != LogReader.NO_TERM && term < 1)
                {
                    throw new AssertionError("term(" + from + ") = " + term);
                }
            }
        }
        catch (final Throwable t)
        {
            failure.set(t);
        }
    }
}
