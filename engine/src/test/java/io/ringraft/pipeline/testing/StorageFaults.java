package io.ringraft.pipeline.testing;

import io.ringraft.pipeline.GroupStorage;

/**
 * Makes a node's disk slow or stuck: every {@link GroupStorage#force()} of the node's storages (wrapped with
 * {@link #wrap}) first waits {@link #forceDelayMs} and then passes {@link #stall()}'s gate.
 */
public final class StorageFaults
{
    private final Gate stall = new Gate();
    private volatile long forceDelayMs;

    public void forceDelayMs(final long millis)
    {
        forceDelayMs = millis;
    }

    /** Close it to stall the node's persist stage, open it to let it go on. */
    public Gate stall()
    {
        return stall;
    }

    public GroupStorage wrap(final GroupStorage storage)
    {
        return new ForwardingGroupStorage(storage)
        {
            @Override
            public void force()
            {
                final long delay = forceDelayMs;
                if (delay > 0)
                {
                    ApplyHook.sleepUninterruptibly(delay);
                }
                stall.pass();
                super.force();
            }
        };
    }
}
