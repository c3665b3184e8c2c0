package io.ringraft.pipeline.testing;

/** Runs inside {@link RecordingStateMachine#apply} before the entry is applied: where tests make it slow. */
@FunctionalInterface
public interface ApplyHook
{
    ApplyHook NONE = (groupId, index, applyCount) -> {};

    /** @param applyCount 1 for the first entry this state machine applies, 2 for the second... */
    void beforeApply(int groupId, long index, long applyCount);

    /** Sleeps {@code millis} in every {@code n}th apply of each state machine. */
    static ApplyHook sleepEvery(final int n, final long millis)
    {
        return (groupId, index, applyCount) ->
        {
            if (applyCount % n == 0)
            {
                sleepUninterruptibly(millis);
            }
        };
    }

    static void sleepUninterruptibly(final long millis)
    {
        final long deadline = System.nanoTime() + millis * 1_000_000;
        long left;
        while ((left = deadline - System.nanoTime()) > 0)
        {
            try
            {
                Thread.sleep(Math.max(1, left / 1_000_000));
            }
            catch (final InterruptedException ignore)
            {
                // keep the promised duration: the stage must not be interruptible by tests
            }
        }
    }
}
