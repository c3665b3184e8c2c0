package io.ringraft.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

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
