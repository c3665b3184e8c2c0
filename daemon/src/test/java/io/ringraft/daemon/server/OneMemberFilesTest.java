package io.ringraft.daemon.server;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

/**
 * Tests that start member 1 of a cluster's files in this JVM: a test sets {@link #files}, and member 1's Aeron
 * directory (under /dev/shm) is removed after it, whether the member stopped or was refused.
 */
abstract class OneMemberFilesTest
{
    @TempDir
    Path root;
    ClusterFiles files;

    @AfterEach
    void removeAeronDirectory()
    {
        if (null != files)
        {
            IoUtil.delete(new File(files.aeronDirOf(1)), true);
        }
    }
}
