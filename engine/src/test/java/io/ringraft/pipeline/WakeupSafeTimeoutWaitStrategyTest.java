package io.ringraft.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replays, deterministically, the interleaving that loses a wake-up: the consumer reads the cursor (still
 * behind), a publisher then advances it and signals, and only then does the consumer go to sleep. A correct
 * strategy wakes the consumer; the Disruptor's lite timeout strategy sleeps out its whole timeout.
 */
class WakeupSafeTimeoutWaitStrategyTest
{
    private static final long TIMEOUT_MS = 2_000;

    @Test
    void aPublishRacingTheConsumersLastCursorCheckWakesIt() throws Exception
    {
        final WaitStrategy strategy = new WakeupSafeTimeoutWaitStrategy(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        final long startNs = System.nanoTime();

        final long available = strategy.waitFor(0, new RacingCursor(strategy), new Sequence(0), new NoAlerts());

        assertThat(available).isEqualTo(0);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isLessThan(TIMEOUT_MS / 2);
    }

    @Test
    void theDisruptorsLiteTimeoutStrategyLosesThatWakeUp()
    {
        final WaitStrategy strategy = new LiteTimeoutBlockingWaitStrategy(TIMEOUT_MS / 4, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> strategy.waitFor(0, new RacingCursor(strategy), new Sequence(0), new NoAlerts()))
            .isInstanceOf(TimeoutException.class);
    }

    @Test
    void anIdleConsumerTimesOut()
    {
        final WaitStrategy strategy = new WakeupSafeTimeoutWaitStrategy(20, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> strategy.waitFor(0, new Sequence(-1), new Sequence(-1), new NoAlerts()))
            .isInstanceOf(TimeoutException.class);
    }

    /**
     * A producer that claims a slot of a multi-producer ring and publishes it only much later (as one preempted
     * between claim and publish does): the consumer, which then yields rather than spins, still handles that
     * event and every later one, in order, as soon as they are published.
     */
    @Test
    void aSlotClaimedLongBeforeItIsPublishedIsHandledOnceItIs() throws Exception
    {
        final RingBuffer<long[]> ring = RingBuffer.createMultiProducer(
            () -> new long[1], 64, new WakeupSafeTimeoutWaitStrategy(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        final AtomicLong handled = new AtomicLong(-1);
        final AtomicLong outOfOrder = new AtomicLong(-1);
        final BatchEventProcessor<long[]> consumer = new BatchEventProcessorBuilder().build(
            ring, ring.newBarrier(), (event, sequence, endOfBatch) ->
            {
                if (event[0] != handled.get() + 1)
                {
                    outOfOrder.compareAndSet(-1, event[0]);
                }
                handled.set(event[0]);
            });
        ring.addGatingSequences(consumer.getSequence());
        final Thread thread = new Thread(consumer, "consumer");
        thread.start();
        try
        {
            publish(ring, 0);
            final long held = ring.next();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            awaitHandled(handled, 0, deadline);
            // The consumer now calls waitFor for the held sequence again and again.
            Thread.sleep(50);
            assertThat(handled.get()).isEqualTo(0);

            ring.get(held)[0] = 1;
            ring.publish(held);
            publish(ring, 2);
            awaitHandled(handled, 2, deadline);
            assertThat(outOfOrder.get()).isEqualTo(-1);
        }
        finally
        {
            consumer.halt();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(thread.isAlive()).isFalse();
    }

    private static void publish(final RingBuffer<long[]> ring, final long value)
    {
        final long sequence = ring.next();
        ring.get(sequence)[0] = value;
        ring.publish(sequence);
    }

    private static void awaitHandled(final AtomicLong handled, final long value, final long deadlineNs)
        throws InterruptedException
    {
        while (handled.get() < value)
        {
            assertThat(System.nanoTime() - deadlineNs).as("event %d handled within 10 s", value).isNegative();
            Thread.sleep(1);
        }
    }

    /**
     * A cursor whose second read by the consumer is answered with the value from just before a publisher on
     * another thread advanced it and signalled: the read "happened" before the publish.
     */
    private static final class RacingCursor extends Sequence
    {
        private final WaitStrategy strategy;
        private int consumerReads;

        RacingCursor(final WaitStrategy strategy)
        {
            super(-1);
            this.strategy = strategy;
        }

        @Override
        public long get()
        {
            if (Thread.currentThread().getName().startsWith("publisher"))
            {
                return super.get();
            }
            final long before = super.get();
            if (++consumerReads == 2)
            {
                final Thread publisher = new Thread(() ->
                {
                    set(0);
                    strategy.signalAllWhenBlocking();
                }, "publisher");
                publisher.start();
                try
                {
                    // A correct strategy makes the publisher wait for the mutex the consumer holds, so this
                    // join times out; a lossy one lets it finish having signalled nobody.
                    publisher.join(100);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            return consumerReads == 2 ? before : super.get();
        }
    }

    private static final class NoAlerts implements SequenceBarrier
    {
        @Override
        public long waitFor(final long sequence)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long getCursor()
        {
            return 0;
        }

        @Override
        public boolean isAlerted()
        {
            return false;
        }

        @Override
        public void alert()
        {
        }

        @Override
        public void clearAlert()
        {
        }

        @Override
        public void checkAlert() throws AlertException
        {
        }
    }
}
