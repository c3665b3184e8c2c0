package io.ringraft.daemon.server;

import io.ringraft.log.DurableLog;
import io.ringraft.log.LogConfig;
import io.ringraft.log.LogFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member whose data directory recovery refuses stops with one line on stderr (file, offset, what is wrong, what to
 * do; no stack trace), exit code 3, and the group directory as it was.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonRefusalTest extends OneMemberFilesTest
{
    @Test
    void anotherMembersDataDirectoryIsRefusedInOneLineWithExitCode3() throws IOException
    {
        files = new ClusterFiles(root, 1);
        final Path dataDir = root.resolve("data-1");
        // Member 2's group 0, where member 1's config points.
        DurableLog.open(new LogConfig().dataDirectory(dataDir).clusterId(files.clusterId).memberId(2).groupId(0)
            .segmentLength(LogConfig.MIN_SEGMENT_LENGTH)).close();
        final Path group = dataDir.resolve("0");
        final List<String> before = LogFixtures.fingerprint(dataDir);

        final DaemonRun run = DaemonRun.of(files.configOf(1));
        final String printed = run.err();
        assertThat(run.exitCode()).as(printed).isEqualTo(DaemonMain.DATA_DIRECTORY_REFUSED).isEqualTo(3);
        assertThat(printed.lines().filter(line -> line.startsWith("ringraft-daemon:")).toList()).singleElement()
            .isEqualTo("ringraft-daemon: member 1 cannot start: data directory refused: " +
                group.resolve("directory-header") + " at offset 0: expected cluster " + files.clusterId +
                " member 1, found cluster " + files.clusterId + " member 2: the data directory belongs to another " +
                "member. Point this member at its own data directory, or fix its cluster/member id configuration");
        assertThat(printed).doesNotContain("\tat ", "Exception");
        assertThat(LogFixtures.fingerprint(dataDir)).as("the data directory after the refusal").isEqualTo(before);
    }
}
