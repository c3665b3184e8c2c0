package io.ringraft.daemon.server;

import io.ringraft.daemon.config.DaemonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data directory records the cluster id, member id and groups of the first start; a start whose config disagrees
 * is refused in one line with exit code 3, naming the key, both values and what to do. Also: stopping prints a line
 * when it begins and one when it is done.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemberRecordTest extends OneMemberFilesTest
{
    @Test
    void anotherGroupCountThanTheFirstStartsIsRefusedInOneLineWithExitCode3() throws IOException
    {
        files = new ClusterFiles(root, 2);
        final Path config = files.configOf(1);
        final KvDaemon daemon = KvDaemon.start(DaemonConfig.load(config));
        final ByteArrayOutputStream stopLines = new ByteArrayOutputStream();
        DaemonMain.stop(daemon, new PrintStream(stopLines, true, StandardCharsets.UTF_8));

        assertThat(stopLines.toString(StandardCharsets.UTF_8).lines().toList()).satisfiesExactly(
            begin -> assertThat(begin).startsWith("stopping member 1 cluster " + files.clusterId + ": closing"),
            end -> assertThat(end).startsWith("stopped member 1: ").endsWith(files.aeronDirOf(1) + " deleted"));
        final Path record = files.dataDirOf(1).resolve(MemberRecord.FILE_NAME);
        assertThat(Files.readString(record)).contains("cluster.id = " + files.clusterId + "\n", "member.id = 1\n",
            "groups = 2\n");

        Files.writeString(config, Files.readString(config).replace("groups = 2", "groups = 3"));
        final DaemonRun run = DaemonRun.of(config);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(DaemonMain.DATA_DIRECTORY_REFUSED);
        assertThat(run.err().lines().filter(line -> line.startsWith("ringraft-daemon:")).toList()).singleElement()
            .isEqualTo("ringraft-daemon: member 1 cannot start: data directory refused: " + record + " at offset 0: " +
                "the config says groups = 3 but this data directory was first started with groups = 2. Set groups = 2 " +
                "in the config (changing it would move keys to other groups), or point data.dir at a new directory");
        assertThat(run.err()).doesNotContain("\tat ", "Exception");
        assertThat(Files.readString(record)).contains("groups = 2\n");
    }

    @Test
    void aDirectoryFromBeforeTheRecordWithMoreGroupFoldersIsRefused() throws IOException
    {
        files = new ClusterFiles(root, 2);
        final Path config = files.configOf(1);
        Files.createDirectories(files.dataDirOf(1).resolve("3"));
        final DaemonRun run = DaemonRun.of(config);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(DaemonMain.DATA_DIRECTORY_REFUSED);
        assertThat(run.err().lines().filter(line -> line.startsWith("ringraft-daemon:")).toList()).singleElement()
            .asString().contains("the config says groups = 2 but the data directory holds group 3", "Set groups");
        assertThat(files.dataDirOf(1).resolve(MemberRecord.FILE_NAME)).doesNotExist();
    }
}
