package io.ringraft.aeron;

import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedErrorHandlerTest
{
    private static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final CapturingLogger logger = new CapturingLogger();
    private long nowNs = 123_456_789L;
    private final RateLimitedErrorHandler handler =
        new RateLimitedErrorHandler(logger, "member 2 media driver error", INTERVAL_NS, () -> nowNs);

    @Test
    void aFloodOfOneCauseIsOneLinePerIntervalWithTheCountOfTheRest()
    {
        for (int i = 0; i < 20_086; i++)
        {
            handler.onError(sendFailure("/10.0.0.3:20003"));
            nowNs += TimeUnit.MICROSECONDS.toNanos(400); // 20,086 in about 8 s
        }
        assertThat(logger.lines).hasSize(1);
        assertThat(logger.lines.get(0)).startsWith("member 2 media driver error: ")
            .contains("failed to send datagram to /10.0.0.3:20003").contains("Network is unreachable");
        assertThat(logger.thrown.get(0)).as("the first line of a cause has its stack trace").isNotNull();

        nowNs += INTERVAL_NS; // the interval is over: the next one says how many were held back
        handler.onError(sendFailure("/10.0.0.3:20003"));
        assertThat(logger.lines).hasSize(2);
        assertThat(logger.lines.get(1)).contains("20085 more like it in the last 10 s");
        assertThat(logger.thrown.get(1)).isNull();
        assertThat(handler.errors()).isEqualTo(20_087);
    }

    @Test
    void eachCauseAndPeerHasItsOwnLine()
    {
        for (int i = 0; i < 100; i++)
        {
            handler.onError(sendFailure("/10.0.0.3:20003"));
            handler.onError(sendFailure("/10.0.0.1:20001"));
            handler.onError(new IllegalStateException("something else"));
            nowNs += TimeUnit.MILLISECONDS.toNanos(1);
        }
        assertThat(logger.lines).hasSize(3);
        assertThat(logger.lines.get(0)).contains("/10.0.0.3:20003");
        assertThat(logger.lines.get(1)).contains("/10.0.0.1:20001");
        assertThat(logger.lines.get(2)).contains("IllegalStateException: something else");
    }

    @Test
    void theCountOfAFaultThatStoppedIsToldWhenAnotherErrorComesAfterItsInterval()
    {
        handler.onError(sendFailure("/10.0.0.3:20003"));
        handler.onError(sendFailure("/10.0.0.3:20003"));
        handler.onError(sendFailure("/10.0.0.3:20003"));
        nowNs += INTERVAL_NS + 1;
        handler.onError(new IllegalStateException("unrelated"));
        assertThat(logger.lines).hasSize(3);
        assertThat(logger.lines.get(2)).contains("/10.0.0.3:20003").contains("2 more like it");

        // Quiet for a whole interval: the cause starts afresh, logged at once with its stack trace.
        nowNs += INTERVAL_NS + 1;
        handler.onError(new IllegalStateException("unrelated"));
        nowNs += INTERVAL_NS + 1;
        handler.onError(sendFailure("/10.0.0.3:20003"));
        assertThat(logger.lines.get(logger.lines.size() - 1)).doesNotContain("more like it");
        assertThat(logger.thrown.get(logger.thrown.size() - 1)).isNotNull();
    }

    @Test
    void causesBeyondTheLimitShareOneLine()
    {
        for (int i = 0; i < RateLimitedErrorHandler.MAX_CAUSES + 500; i++)
        {
            handler.onError(new IllegalStateException("cause " + i));
        }
        assertThat(logger.lines).hasSize(RateLimitedErrorHandler.MAX_CAUSES + 1);
        assertThat(handler.errors()).isEqualTo(RateLimitedErrorHandler.MAX_CAUSES + 500);
    }

    private static Exception sendFailure(final String peer)
    {
        return new RuntimeException("WARN - failed to send datagram to " + peer + " : " +
            new SocketException("Network is unreachable"));
    }

    private static final class CapturingLogger implements System.Logger
    {
        final List<String> lines = new ArrayList<>();
        final List<Throwable> thrown = new ArrayList<>();

        @Override
        public String getName()
        {
            return "test";
        }

        @Override
        public boolean isLoggable(final Level level)
        {
            return true;
        }

        @Override
        public void log(final Level level, final ResourceBundle bundle, final String msg, final Throwable thrown)
        {
            lines.add(msg);
            this.thrown.add(thrown);
        }

        @Override
        public void log(final Level level, final ResourceBundle bundle, final String format, final Object... params)
        {
            lines.add(format);
            thrown.add(null);
        }
    }
}
