package io.ringraft.log.sim;

import io.ringraft.log.Disk;
import io.ringraft.log.DiskFile;
import io.ringraft.log.MappedRegion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimDiskTest
{
    private static final Path DIR = Path.of("/sim/m1/7");
    private static final Path FILE = DIR.resolve("data");
    private static final int PAGES = 8;
    private static final int SEEDS = 200;

    /** A disk with {@link #FILE} of {@link #PAGES} pages of {@code old}, all synced. */
    private static SimDisk syncedFile(final long seed, final byte old) throws IOException
    {
        final SimDisk disk = new SimDisk(seed);
        disk.createDirectoriesDurably(DIR);
        try (DiskFile file = disk.open(FILE, Disk.OpenMode.CREATE))
        {
            write(file, 0, PAGES * SimDisk.PAGE, old);
            file.force(true);
        }
        disk.fsyncDirectory(DIR);
        return disk;
    }

    private static void write(final DiskFile file, final long position, final int length, final byte value)
        throws IOException
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        file.write(ByteBuffer.wrap(bytes), position);
    }

    @Test
    void syncedContentAndNamesSurviveEveryCrash() throws IOException
    {
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final SimDisk disk = syncedFile(seed, (byte)1);
            disk.crash();
            final byte[] content = disk.readAllBytes(FILE);
            assertThat(content).hasSize(PAGES * SimDisk.PAGE).containsOnly(1);
        }
    }

    @Test
    void eachUnsyncedPageReachesTheDiskOrNotAndAtMostOneIsTornAtASectorBoundary() throws IOException
    {
        final boolean[] seenOld = new boolean[PAGES];
        final boolean[] seenNew = new boolean[PAGES];
        int torn = 0;
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final SimDisk disk = syncedFile(seed, (byte)1);
            try (DiskFile file = disk.open(FILE, Disk.OpenMode.READ_WRITE))
            {
                write(file, 0, PAGES * SimDisk.PAGE, (byte)2);
            }
            disk.crash();
            final byte[] content = disk.readAllBytes(FILE);
            int tornHere = 0;
            for (int page = 0; page < PAGES; page++)
            {
                final byte[] bytes = Arrays.copyOfRange(content, page * SimDisk.PAGE, (page + 1) * SimDisk.PAGE);
                int changes = 0;
                for (int i = 1; i < bytes.length; i++)
                {
                    if (bytes[i] != bytes[i - 1])
                    {
                        changes++;
                        assertThat(i % SimDisk.SECTOR).as("tear at a sector boundary").isZero();
                        assertThat(bytes[i - 1]).as("new sectors first, then old ones").isEqualTo((byte)2);
                    }
                }
                assertThat(changes).isLessThanOrEqualTo(1);
                tornHere += changes;
                seenOld[page] |= 1 == bytes[0] && 0 == changes;
                seenNew[page] |= 2 == bytes[0] && 0 == changes;
            }
            assertThat(tornHere).isLessThanOrEqualTo(1);
            torn += tornHere;
        }
        for (int page = 0; page < PAGES; page++)
        {
            assertThat(seenOld[page] && seenNew[page]).as("page " + page + " kept and lost by some crash").isTrue();
        }
        assertThat(torn).isGreaterThan(0);
    }

    @Test
    void aForcedRangeOfAMappingIsDurableTheRestIsNot() throws IOException
    {
        boolean lostUnforced = false;
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final SimDisk disk = syncedFile(seed, (byte)1);
            try (DiskFile file = disk.open(FILE, Disk.OpenMode.READ_WRITE))
            {
                final MappedRegion region = file.map(true, 0, PAGES * SimDisk.PAGE);
                region.buffer().setMemory(0, PAGES * SimDisk.PAGE, (byte)3);
                region.force(0, 2 * SimDisk.PAGE);
                region.unmap();
            }
            disk.crash();
            final byte[] content = disk.readAllBytes(FILE);
            assertThat(Arrays.copyOfRange(content, 0, 2 * SimDisk.PAGE)).containsOnly(3);
            lostUnforced |= 1 == content[content.length - 1];
        }
        assertThat(lostUnforced).isTrue();
    }

    @Test
    void namesAreDurableOnlyAfterTheDirectoryFsync() throws IOException
    {
        boolean createdLost = false;
        boolean createdKept = false;
        boolean deletedBack = false;
        boolean renameUndone = false;
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final SimDisk disk = syncedFile(seed, (byte)1);
            final Path synced = DIR.resolve("synced");
            disk.open(synced, Disk.OpenMode.CREATE).close();
            final Path renamed = DIR.resolve("renamed");
            disk.moveAtomically(synced, renamed);
            disk.fsyncDirectory(DIR);
            disk.delete(renamed);
            final Path created = DIR.resolve("created");
            disk.open(created, Disk.OpenMode.CREATE).close();
            final Path moved = DIR.resolve("moved");
            disk.moveAtomically(FILE, moved);
            disk.crash();
            assertThat(disk.exists(synced)).isFalse();
            createdLost |= !disk.exists(created);
            createdKept |= disk.exists(created);
            deletedBack |= disk.exists(renamed);
            // A rename is atomic: the file is under exactly one of its names.
            assertThat(disk.exists(FILE)).isNotEqualTo(disk.exists(moved));
            renameUndone |= disk.exists(FILE);
        }
        assertThat(createdLost).isTrue();
        assertThat(createdKept).isTrue();
        assertThat(deletedBack).isTrue();
        assertThat(renameUndone).isTrue();
    }

    @Test
    void aFileInADirectoryNeverSyncedIntoItsParentMayBeLost() throws IOException
    {
        boolean lost = false;
        for (long seed = 0; seed < 50; seed++)
        {
            final SimDisk disk = new SimDisk(seed).createDirectoriesDurably(DIR.getParent());
            disk.createDirectories(DIR);
            try (DiskFile file = disk.open(FILE, Disk.OpenMode.CREATE))
            {
                write(file, 0, 100, (byte)1);
                file.force(true);
            }
            disk.fsyncDirectory(DIR);
            disk.crash();
            lost |= !disk.exists(FILE);
        }
        assertThat(lost).isTrue();
    }

    @Test
    void aFailedForceLeavesItsPagesUnwrittenEvenAfterALaterForceSucceeds() throws IOException
    {
        for (long seed = 0; seed < 50; seed++)
        {
            final SimDisk disk = syncedFile(seed, (byte)1);
            try (DiskFile file = disk.open(FILE, Disk.OpenMode.READ_WRITE))
            {
                write(file, 0, SimDisk.PAGE, (byte)2);
                disk.failNextForces(1);
                assertThatThrownBy(() -> file.force(false)).isInstanceOf(IOException.class);
                file.force(false);
                // Written again after the failure: dirty again, and written by the next force.
                write(file, SimDisk.PAGE, SimDisk.PAGE, (byte)2);
                final MappedRegion region = file.map(true, 0, PAGES * SimDisk.PAGE);
                disk.failNextForces(1);
                assertThatThrownBy(() -> region.force(SimDisk.PAGE, SimDisk.PAGE))
                    .isInstanceOf(UncheckedIOException.class);
                region.buffer().putByte(SimDisk.PAGE, (byte)3);
                region.force(0, PAGES * SimDisk.PAGE);
            }
            assertThat(disk.readAllBytes(FILE)[0]).as("reads see the page cache").isEqualTo((byte)2);
            disk.crash();
            final byte[] content = disk.readAllBytes(FILE);
            assertThat(content[0]).as("lost by the failed writeback").isEqualTo((byte)1);
            assertThat(content[SimDisk.PAGE]).isEqualTo((byte)3);
        }
        assertThat(new SimDisk(1).failedForces()).isZero();
    }

    @Test
    void damageChangesSyncedBytesAsAsked() throws IOException
    {
        final SimDisk disk = syncedFile(5, (byte)1);
        disk.flipBit(FILE, 8 * 100 + 1);
        disk.zeroSector(FILE, 2);
        byte[] content = disk.readAllBytes(FILE);
        assertThat(content[100]).isEqualTo((byte)3);
        assertThat(Arrays.copyOfRange(content, 1024, 1536)).containsOnly(0);
        assertThat(content[1536]).isEqualTo((byte)1);
        disk.crash();
        content = disk.readAllBytes(FILE);
        assertThat(content[100]).as("damage is durable").isEqualTo((byte)3);

        disk.truncate(FILE, 10);
        disk.crash();
        assertThat(disk.size(FILE)).isEqualTo(10);
        final Path flipped = disk.flipRandomBit(null);
        assertThat(flipped).isEqualTo(FILE);
        assertThat(disk.readAllBytes(FILE)).isNotEqualTo(new byte[]{ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 });
        disk.lose(FILE);
        disk.crash();
        assertThat(disk.exists(FILE)).isFalse();
        assertThatThrownBy(() -> disk.open(FILE, Disk.OpenMode.READ)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void theSameSeedGivesTheSameDisk() throws IOException
    {
        final byte[][] contents = new byte[2][];
        for (int run = 0; run < 2; run++)
        {
            final SimDisk disk = syncedFile(77, (byte)1);
            try (DiskFile file = disk.open(FILE, Disk.OpenMode.READ_WRITE))
            {
                write(file, 0, PAGES * SimDisk.PAGE, (byte)2);
            }
            disk.crash();
            contents[run] = disk.readAllBytes(FILE);
        }
        assertThat(contents[0]).isEqualTo(contents[1]);
    }

    @Test
    void countsWritesAndForces() throws IOException
    {
        final SimDisk disk = syncedFile(3, (byte)1);
        assertThat(disk.bytesWritten()).isEqualTo(PAGES * SimDisk.PAGE);
        assertThat(disk.forces()).isEqualTo(2);
        assertThat(disk.bytesForced()).isEqualTo(PAGES * SimDisk.PAGE);
    }
}
