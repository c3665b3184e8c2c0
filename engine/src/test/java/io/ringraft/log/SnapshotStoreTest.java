package io.ringraft.log;

import io.ringraft.raft.Membership;
import io.ringraft.raft.SnapshotToInstall;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.ringraft.log.LogFixtures.batch;
import static io.ringraft.log.LogFixtures.config;
import static io.ringraft.log.LogFixtures.payload;
import static io.ringraft.log.LogFixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;

class SnapshotStoreTest
{
    private static final Membership MEMBERS = new Membership(new int[]{ 1, 2, 3 }, new int[]{ 1, 2, 4 },
        new int[]{ 5 }, new int[]{ 4 }, true);

    @TempDir
    Path dir;

    @Test
    void writesReadsAndKeepsOnlyTheNewestTwo()
    {
        final SnapshotStore store = SnapshotStore.open(FileDisk.INSTANCE, dir, 3, true, System.getLogger("test"));
        assertThat(store.index()).isZero();
        assertThat(store.length()).isZero();
        for (int i = 1; i <= 4; i++)
        {
            final byte[] data = payload(i, 1, 200_000);
            store.write(i * 100L, i, MEMBERS, new UnsafeBuffer(data), 0, data.length);
        }
        assertThat(snapshotFiles()).hasSize(2);
        assertThat(store.index()).isEqualTo(400);
        assertThat(store.term()).isEqualTo(4);
        assertThat(store.membership()).isEqualTo(MEMBERS);
        assertThat(readData(store)).isEqualTo(payload(4, 1, 200_000));

        final SnapshotStore reopened = SnapshotStore.open(FileDisk.INSTANCE, dir, 3, true, System.getLogger("test"));
        assertThat(reopened.index()).isEqualTo(400);
        assertThat(reopened.membership()).isEqualTo(MEMBERS);
        assertThat(readData(reopened)).isEqualTo(payload(4, 1, 200_000));
    }

    @Test
    void aDamagedNewestSnapshotIsSkippedForThePreviousOne() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(FileDisk.INSTANCE, dir, 3, true, System.getLogger("test"));
        final byte[] older = payload(1, 1, 5000);
        final byte[] newer = payload(2, 1, 5000);
        store.write(100, 1, MEMBERS, new UnsafeBuffer(older), 0, older.length);
        store.write(200, 2, MEMBERS, new UnsafeBuffer(newer), 0, newer.length);
        final Path newest = store.newest().file();
        LogFixtures.flipBits(newest, Files.size(newest) - 1, 1);
        final SnapshotStore reopened = SnapshotStore.open(FileDisk.INSTANCE, dir, 3, true, System.getLogger("test"));
        assertThat(reopened.index()).isEqualTo(100);
        assertThat(readData(reopened)).isEqualTo(older);
    }

    @Test
    void anUnfinishedSnapshotLeavesNoTrace()
    {
        final SnapshotStore store = SnapshotStore.open(FileDisk.INSTANCE, dir, 3, true, System.getLogger("test"));
        try (SnapshotStore.Writer writer = store.writer(100, 1, MEMBERS))
        {
            writer.append(new UnsafeBuffer(new byte[100]), 0, 100);
        }
        assertThat(store.index()).isZero();
        try (Stream<Path> files = listFiles())
        {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void installingASnapshotBeyondTheLogRestartsTheLogAfterIt()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 50, 1, 0, 100));
            log.force();
            final byte[] data = payload(9, 9, 1000);
            log.installSnapshot(new SnapshotToInstall(500, 3, MEMBERS, new UnsafeBuffer(data), data.length));
            assertThat(log.snapshotIndex()).isEqualTo(500);
            assertThat(log.lastIndex()).isEqualTo(500);
            assertThat(log.term(500)).isEqualTo(3);
            assertThat(log.term(50)).isEqualTo(io.ringraft.raft.LogReader.NO_TERM);
            log.append(batch(501, 510, 3, 0, 100));
            log.force();
        }
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            assertThat(log.snapshotIndex()).isEqualTo(500);
            assertThat(log.snapshots().membership()).isEqualTo(MEMBERS);
            assertThat(log.lastIndex()).isEqualTo(510);
            DurableLogTest.assertEntries(readAll(log, 501, 510), 501, 510, 3, 0, 100);
        }
    }

    @Test
    void installingASnapshotTheLogAlreadyHoldsKeepsTheEntriesAfterIt()
    {
        try (DurableLog log = DurableLog.open(config(dir)))
        {
            log.append(batch(1, 50, 2, 0, 100));
            log.force();
            log.installSnapshot(new SnapshotToInstall(30, 2, MEMBERS, new UnsafeBuffer(new byte[4]), 4));
            assertThat(log.snapshotIndex()).isEqualTo(30);
            assertThat(log.lastIndex()).isEqualTo(50);
            DurableLogTest.assertEntries(readAll(log, 31, 50), 31, 50, 2, 0, 100);
        }
    }

    private static byte[] readData(final SnapshotStore store)
    {
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[(int)store.length()]);
        long offset = 0;
        int read;
        while ((read = store.read(offset, dst, (int)offset, 7000)) > 0)
        {
            offset += read;
        }
        return dst.byteArray();
    }

    private List<Path> snapshotFiles()
    {
        try (Stream<Path> files = listFiles())
        {
            return files.filter(p -> p.toString().endsWith(Snapshot.SUFFIX)).toList();
        }
    }

    private Stream<Path> listFiles()
    {
        try
        {
            return Files.list(dir);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
