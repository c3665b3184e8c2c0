package io.ringraft.aeron;

import io.aeron.driver.MediaDriver;
import io.ringraft.raft.Message;
import io.ringraft.raft.MessageType;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Aeron client closes itself when it times out (its conductor not run, or no driver heartbeat seen, for longer
 * than Aeron's 10 s timeouts) or its driver stops, and unmaps the driver's memory. Issue 16: a member paused for 15 s
 * died of a SIGSEGV, its transport incrementing a counter there. The transport must stop touching that memory, from
 * every thread, and reconnect: a new client, publications and subscription; messages flow again, and the counters
 * count on.
 */
class AeronTransportReconnectTest
{
    private static final int CLUSTER_ID = 16;
    private static final long TIMEOUT_MS = 30_000;
    /** Longer than the driver's client liveness timeout, which is also the client's longest allowed service gap. */
    private static final long STALL_MS = 11_000;

    /**
     * The transport's thread, which runs the embedded driver and the client's conductor, stalls past the timeouts (as
     * it does when the process is stopped) while a send stage on another thread goes on sending: when the thread
     * resumes, the client closes under those sends.
     */
    @Test
    void aTransportWhoseThreadStalledPastTheTimeoutsReconnectsWhileAnotherThreadKeepsSending() throws Exception
    {
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        final StallingIdleStrategy stalling = new StallingIdleStrategy();
        final RecordingHandler atOne = new RecordingHandler(false);
        final RecordingHandler atTwo = new RecordingHandler(false);
        try (AeronTransport one = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints).idleStrategySupplier(() -> stalling));
            AeronTransport two = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(2).memberEndpoints(endpoints)))
        {
            one.start(atOne);
            two.start(atTwo);
            awaitDelivery(one, two, atTwo);
            awaitDelivery(two, one, atOne);
            final long sentBefore = one.counters().peer(2).messagesSent();

            final AtomicBoolean sendStageRuns = new AtomicBoolean(true);
            final AtomicLong sends = new AtomicLong();
            final Thread sendStage = new Thread(() ->
            {
                final Message heartbeat = SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 1);
                while (sendStageRuns.get())
                {
                    one.send(heartbeat);
                    sends.incrementAndGet();
                    LockSupport.parkNanos(50_000);
                }
            }, "send-stage-of-1");
            sendStage.start();
            try
            {
                stalling.stallOnce(STALL_MS);
                assertThat(stalling.stallBegan.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)).as("stall began").isTrue();
                Await.until(() -> one.counters().relinks() == 1, STALL_MS + TIMEOUT_MS,
                    () -> "member 1 reconnected; lost " + one.counters().linksLost() + ", reconnected " +
                    one.counters().relinks());
                final long sendsAtRelink = sends.get();
                Await.until(() -> sends.get() > sendsAtRelink + 100, TIMEOUT_MS, () -> "the send stage sends on");
            }
            finally
            {
                sendStageRuns.set(false);
                sendStage.join(TIMEOUT_MS);
            }

            assertThat(one.counters().linksLost()).as("clients lost").isEqualTo(1);
            assertThat(one.counters().unlinkedSends()).as("sends while no client").isPositive();
            awaitDelivery(one, two, atTwo);
            awaitDelivery(two, one, atOne);
            assertThat(one.counters().peer(2).messagesSent()).as("counted on across the reconnection")
                .isGreaterThan(sentBefore);
            assertThat(one.isConnected(2)).isTrue();
        }
    }

    /** A transport on an external driver that stops and is launched again in the same directory. */
    @Test
    void aTransportOnAnExternalDriverReconnectsWhenTheDriverIsLaunchedAgain()
    {
        final String directory = "/dev/shm/ringraft-aeron-test-relaunch-" + ProcessHandle.current().pid() + "-" +
            System.nanoTime();
        final Map<Integer, String> endpoints = TransportCluster.udpEndpoints(1, 2);
        final RecordingHandler atOne = new RecordingHandler(false);
        final RecordingHandler atTwo = new RecordingHandler(false);
        MediaDriver driver = launch(directory);
        try (AeronTransport one = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(1).memberEndpoints(endpoints)
                .embeddedDriver(false).aeronDirectoryName(directory));
            AeronTransport two = new AeronTransport(new AeronTransportContext().secret(TransportCluster.SECRET)
                .clusterId(CLUSTER_ID).memberId(2).memberEndpoints(endpoints)))
        {
            one.start(atOne);
            two.start(atTwo);
            awaitDelivery(one, two, atTwo);
            awaitDelivery(two, one, atOne);

            driver.close();
            Await.until(() -> one.counters().linksLost() == 1, TIMEOUT_MS, () -> "member 1 noticed its driver stop");
            assertThat(one.send(SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, 1, 2, 1))).isFalse();
            assertThat(one.isConnected(2)).isFalse();

            driver = launch(directory);
            Await.until(() -> one.counters().relinks() == 1, TIMEOUT_MS, () -> "member 1 reconnected");
            awaitDelivery(one, two, atTwo);
            awaitDelivery(two, one, atOne);
        }
        finally
        {
            CloseHelper.quietClose(driver);
        }
        assertThat(new File(directory)).doesNotExist();
    }

    private static MediaDriver launch(final String directory)
    {
        return EmbeddedMediaDriver.launch(directory, AeronTransportContext.DEFAULT_TERM_BUFFER_LENGTH,
            AeronTransportContext.defaultIdleStrategy(), Throwable::printStackTrace);
    }

    /** Sends heartbeats from {@code from} until {@code to}'s handler has one more: it is delivered again. */
    private static void awaitDelivery(final AeronTransport from, final AeronTransport to, final RecordingHandler atTo)
    {
        final long before = atTo.count();
        final Message heartbeat = SampleMessages.small(MessageType.HEARTBEAT, CLUSTER_ID, from.context().memberId(),
            to.context().memberId(), 1);
        Await.until(() ->
        {
            from.send(heartbeat);
            return atTo.count() > before;
        }, TIMEOUT_MS, () -> "a message from member " + from.context().memberId() + " reaches member " +
            to.context().memberId());
    }

    /** The transport's idle strategy, which on request stops its thread once, as a stopped process would. */
    private static final class StallingIdleStrategy implements IdleStrategy
    {
        final CountDownLatch stallBegan = new CountDownLatch(1);
        private final IdleStrategy delegate = AeronTransportContext.defaultIdleStrategy();
        private volatile long stallMs;

        void stallOnce(final long ms)
        {
            stallMs = ms;
        }

        @Override
        public void idle(final int workCount)
        {
            final long ms = stallMs;
            if (ms > 0)
            {
                stallMs = 0;
                stallBegan.countDown();
                sleep(ms); // a sleep, not a park: the send stage's wake-ups must not end it
            }
            delegate.idle(workCount);
        }

        @Override
        public void idle()
        {
            delegate.idle();
        }

        @Override
        public void reset()
        {
            delegate.reset();
        }

        private static void sleep(final long ms)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            for (long leftNs; (leftNs = deadlineNs - System.nanoTime()) > 0; )
            {
                try
                {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(leftNs) + 1);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
