package io.ringraft.daemon.server;

import io.ringraft.aeron.DriverDirectories;
import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.pipeline.CountersFile;
import io.ringraft.raft.RaftConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settings reach the member, and a data directory that cannot be one is a config error (exit code 2) whose one line
 * names it, as every bad setting is named (ConfigException: a heading, then a line per bad setting).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonHygieneTest extends OneMemberFilesTest
{
    @Test
    void snapshotEntriesReachesEveryGroupsRaftConfig() throws IOException
    {
        files = new ClusterFiles(root, 2);
        final Path config = files.configOf(1);
        Files.writeString(config, Files.readString(config) + "snapshot.entries = 7\n");
        try (KvDaemon daemon = KvDaemon.start(DaemonConfig.load(config)))
        {
            final RaftConfig raft = new RaftConfig();
            daemon.node().context().raftConfigCustomizer().accept(raft);
            assertThat(raft.snapshotThresholdEntries()).isEqualTo(7);
        }
    }

    /**
     * Counters off the data disk by default: in a directory of this run under /dev/shm, named in the data directory
     * for viewers, deleted at a clean stop; one a killed run left is deleted at the next start.
     */
    @Test
    void countersLiveInMemoryByDefaultNamedByTheDataDirectoryAndGoWithTheRun() throws Exception
    {
        files = new ClusterFiles(root, 1);
        final Path config = files.configOf(1);
        final Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        final String prefix = "ringraft-counters-c" + files.clusterId + "-m1-";
        // <prefix>-<pid of a process that is gone>-...: what a killed run leaves.
        final File stale = new File(DriverDirectories.uniqueName(prefix + gone.pid()));
        assertThat(stale.mkdirs()).isTrue();

        final Path countersDir;
        try (KvDaemon daemon = KvDaemon.start(DaemonConfig.load(config)))
        {
            countersDir = daemon.countersDir();
            assertThat(stale).as("a killed run's counters directory").doesNotExist();
            assertThat(countersDir.getFileName().toString()).startsWith(prefix + ProcessHandle.current().pid() + "-");
            assertThat(countersDir.getParent()).isEqualTo(stale.toPath().getParent());
            assertThat(files.dataDirOf(1).resolve(CountersFile.FILE_NAME)).as("nothing on the data disk").doesNotExist();
            assertThat(Files.readString(files.dataDirOf(1).resolve(CountersFile.LOCATION_FILE_NAME)).trim())
                .isEqualTo(countersDir.toString());
            try (CountersFile viewer = CountersFile.openForReading(files.dataDirOf(1)))
            {
                assertThat(viewer.path()).isEqualTo(countersDir.resolve(CountersFile.FILE_NAME));
                assertThat(viewer.pid()).isEqualTo(ProcessHandle.current().pid());
            }
        }
        assertThat(countersDir).as("deleted at a clean stop").doesNotExist();
    }

    @Test
    void aDataDirWhoseParentIsMissingOrThatIsAFileIsAConfigErrorInOneLine() throws IOException
    {
        files = new ClusterFiles(root, 1);
        final Path config = files.configOf(1);
        final String text = Files.readString(config);
        final Path missingParent = root.resolve("unmounted").resolve("data-1");
        Files.writeString(config, text.replace("data.dir = " + files.dataDirOf(1), "data.dir = " + missingParent));
        DaemonRun run = DaemonRun.of(config);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().lines().filter(line -> line.contains("data.dir")).toList()).singleElement().asString()
            .contains("data.dir = '" + missingParent + "'", "parent directory " + missingParent.getParent() +
                " does not exist");
        assertThat(missingParent.getParent()).doesNotExist();

        final Path file = Files.writeString(root.resolve("a-file"), "not a directory");
        Files.writeString(config, text.replace("data.dir = " + files.dataDirOf(1), "data.dir = " + file));
        run = DaemonRun.of(config);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().lines().filter(line -> line.contains("data.dir")).toList()).singleElement().asString()
            .contains("data.dir = '" + file + "'", "is a file");
        assertThat(run.err()).doesNotContain("\tat ", "Exception");
    }
}
