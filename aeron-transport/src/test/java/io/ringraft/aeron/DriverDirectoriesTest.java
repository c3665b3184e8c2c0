package io.ringraft.aeron;

import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DriverDirectoriesTest
{
    @Test
    void deletesTheDirectoriesOfItsPrefixWhoseProcessIsGoneAndNothingElse() throws Exception
    {
        final String prefix = "ringraft-test-dirs-" + Long.toHexString(System.nanoTime()) + "-m1";
        final Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();

        final File ours = new File(DriverDirectories.uniqueName(prefix));
        final File parent = ours.getParentFile();
        final File stale = new File(parent, prefix + "-" + gone.pid() + "-1a2b3c");
        final File otherMember = new File(parent, prefix + "0-" + gone.pid() + "-1a2b3c"); // m10, not m1
        final File noProcessId = new File(parent, prefix + "-x" + gone.pid() + "-1a2b3c");
        final List<File> all = List.of(ours, stale, otherMember, noProcessId);
        try
        {
            for (final File dir : all)
            {
                assertThat(dir.mkdirs()).as("created %s", dir).isTrue();
            }
            assertThat(ours.getName()).startsWith(prefix + "-" + ProcessHandle.current().pid() + "-");

            assertThat(DriverDirectories.deleteStale(prefix)).containsExactly(stale);

            assertThat(stale).doesNotExist();
            assertThat(ours).isDirectory();
            assertThat(otherMember).isDirectory();
            assertThat(noProcessId).isDirectory();
        }
        finally
        {
            all.forEach(dir -> IoUtil.delete(dir, true));
        }
    }
}
