package io.ringraft.daemon;

import io.ringraft.pipeline.CountersFile;
import org.agrona.IoUtil;

import java.nio.file.Path;

/**
 * What a SIGKILLed member process leaves outside its data directory, removed by the test that killed it: a member
 * cleans a killed predecessor's leftovers only when it starts again, and a test's last kill has no successor.
 */
public final class MemberLeftovers
{
    private MemberLeftovers()
    {
    }

    /** Deletes the counters directory (under /dev/shm by default) that {@code dataDir}'s pointer names, if any. */
    public static void removeCounters(final Path dataDir)
    {
        final Path counters = CountersFile.locate(dataDir).getParent();
        if (null != counters && !counters.equals(dataDir))
        {
            IoUtil.delete(counters.toFile(), true);
        }
    }
}
