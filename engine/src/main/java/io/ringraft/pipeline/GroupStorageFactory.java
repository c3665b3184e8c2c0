package io.ringraft.pipeline;

import java.nio.file.Path;

/** Opens (or creates and recovers) the durable storage of one group of a node. */
@FunctionalInterface
public interface GroupStorageFactory
{
    /**
     * @param groupId the group.
     * @param dataDir the node's data directory; the storage keeps its files in a folder of its own beneath it.
     */
    GroupStorage open(int groupId, Path dataDir);
}
