package io.ringraft.aeron;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.fail;

/** Waits for a condition with a deadline; the failure says what was awaited and what the state was. */
final class Await
{
    private Await()
    {
    }

    static void until(final BooleanSupplier condition, final long timeoutMs, final Supplier<String> description)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + timeoutMs + " ms waiting for: " + description.get());
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + description.get());
            }
        }
    }
}
