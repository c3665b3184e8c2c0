package io.ringraft.daemon.server;

import io.ringraft.daemon.config.DaemonConfig;
import io.ringraft.raft.RaftConfig;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
class DaemonHygieneTest
{
    @TempDir
    Path root;
    private ClusterFiles files;

    @AfterEach
    void removeAeronDirectory()
    {
        if (null != files)
        {
            IoUtil.delete(new File(files.aeronDirOf(1)), true);
        }
    }

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
