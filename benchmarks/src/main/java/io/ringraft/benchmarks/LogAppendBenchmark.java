package io.ringraft.benchmarks;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.DurableLog;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.log.LogConfig;
import io.ringraft.raft.EntryBatch;
import io.ringraft.raft.Membership;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Appends batches to the durable log as the persist stage does: append then force (group commit), so one
 * invocation is one batch and the score is entries per second. Every few segments a (tiny) snapshot is
 * taken and the prefix compacted, as a running node does, which keeps the disk footprint bounded.
 * <p>
 * The data directory is under {@code ringraft.bench.dir} (default: java.io.tmpdir), deleted at tear-down.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
@State(Scope.Thread)
public class LogAppendBenchmark
{
    private static final int SEGMENT_LENGTH = 64 * 1024 * 1024;

    @Param({ "64", "1024" })
    int payloadLength;

    @Param({ "NEVER_UNSAFE_FOR_BENCHMARKS", "ALWAYS" })
    FsyncPolicy fsyncPolicy;

    private Path directory;
    private DurableLog log;
    private final EntryBatch batch = new EntryBatch(1024 * 1024);
    private UnsafeBuffer payload;
    private final UnsafeBuffer emptySnapshot = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
    private final Membership membership = Membership.ofVoters(1, 2, 3);
    private long nextIndex;
    private long compactEvery;

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        final Path parent = Path.of(System.getProperty("ringraft.bench.dir", System.getProperty("java.io.tmpdir")));
        directory = Files.createTempDirectory(parent, "ringraft-log-bench");
        log = DurableLog.open(new LogConfig().dataDirectory(directory).groupId(1).clusterId(1).memberId(1)
            .segmentLength(SEGMENT_LENGTH).fsyncPolicy(fsyncPolicy));
        final byte[] bytes = new byte[payloadLength];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)i;
        }
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadLength));
        payload.putBytes(0, bytes);
        nextIndex = 1;
        compactEvery = 2L * SEGMENT_LENGTH / (payloadLength + 48);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        log.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void appendBatch(final int size)
    {
        batch.clear();
        final long first = nextIndex;
        for (int i = 0; i < size; i++)
        {
            batch.append(first + i, 1, EntryType.NORMAL, first + i, payload, 0, payloadLength);
        }
        log.append(batch);
        log.force();
        nextIndex = first + size;
        if (nextIndex - 1 - log.snapshotIndex() > compactEvery)
        {
            final long upTo = nextIndex - 1;
            log.snapshots().write(upTo, 1, membership, emptySnapshot, 0, 0);
            log.compactPrefix(upTo);
        }
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void batchOf1()
    {
        appendBatch(1);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public void batchOf16()
    {
        appendBatch(16);
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public void batchOf256()
    {
        appendBatch(256);
    }
}
