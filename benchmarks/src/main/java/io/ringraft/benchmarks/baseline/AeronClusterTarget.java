package io.ringraft.benchmarks.baseline;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ringraft.tools.perf.LoadTarget;
import io.ringraft.tools.perf.Operation;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One {@link AeronCluster} client with its own media driver, loaded by {@code LoadRun} like a KvClient: every
 * operation is one ingress message of the record's size (its first 8 bytes a correlation id), answered by the echo.
 * AeronCluster is single threaded, so one thread of this target's own offers the queued requests and polls egress,
 * as KvClient's own thread does.
 */
final class AeronClusterTarget implements LoadTarget
{
    private final MediaDriver driver;
    private final AeronCluster cluster;
    private final ManyToOneConcurrentLinkedQueue<CompletableFuture<Object>> submissions =
        new ManyToOneConcurrentLinkedQueue<>();
    private final Long2ObjectHashMap<CompletableFuture<Object>> inFlight = new Long2ObjectHashMap<>();
    private final UnsafeBuffer message;
    private final Thread thread;
    private volatile boolean running = true;
    private long nextCorrelationId;

    AeronClusterTarget(final String ingressEndpoints, final int recordSize)
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName("/dev/shm/ringraft-baseline-client-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong() >>> 16))
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(Long.BYTES, recordSize)));
        try
        {
            cluster = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .egressListener(new Egress())
                .egressChannel("aeron:udp?endpoint=localhost:0")
                .ingressChannel("aeron:udp")
                .ingressEndpoints(ingressEndpoints));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
        thread = new Thread(this::run, "aeron-cluster-client");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public CompletableFuture<?> send(final Operation op, final byte[] key, final byte[] value)
    {
        final CompletableFuture<Object> answer = new CompletableFuture<>();
        submissions.offer(answer);
        return answer;
    }

    private void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy();
        while (running)
        {
            int work = 0;
            CompletableFuture<Object> request;
            while (null != (request = submissions.poll()))
            {
                final long correlationId = nextCorrelationId++;
                message.putLong(0, correlationId);
                inFlight.put(correlationId, request);
                long result;
                while ((result = cluster.offer(message, 0, message.capacity())) < 0)
                {
                    if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result || !running)
                    {
                        inFlight.remove(correlationId).completeExceptionally(
                            new IllegalStateException("ingress offer failed: " + Publication.errorString(result)));
                        break;
                    }
                    cluster.pollEgress();
                    idle.idle();
                }
                work++;
            }
            work += cluster.pollEgress();
            idle.idle(work);
        }
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietCloseAll(cluster, driver);
    }

    private final class Egress implements EgressListener
    {
        @Override
        public void onMessage(
            final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header header)
        {
            final CompletableFuture<Object> request = inFlight.remove(buffer.getLong(offset));
            if (null != request)
            {
                request.complete(null);
            }
        }
    }
}
