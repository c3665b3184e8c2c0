package io.ringraft.log;

import io.ringraft.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class HardStateFileTest
{
    private static final long NO_REPAIR = HardStateFile.NO_REPAIR;

    @TempDir
    Path dir;

    @Test
    void roundTripsTheLatestState()
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            assertThat(hardState.current()).isEqualTo(HardState.INITIAL);
            hardState.save(new HardState(1, 3, 0));
            hardState.save(new HardState(2, HardState.NO_VOTE, 5));
            hardState.save(new HardState(2, 1, 9));
            hardState.sync(9, 2, NO_REPAIR, 9, true);
        }
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            assertThat(hardState.current()).isEqualTo(new HardState(2, 1, 9));
            assertThat(hardState.syncedIndex()).isEqualTo(9);
            assertThat(hardState.syncedTerm()).isEqualTo(2);
        }
    }

    @Test
    void aSlotIsWrittenForANewTermOrVoteOrWatermarkAndTheCommitOnlyGoesWithOneOrAtACleanStop()
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            hardState.save(new HardState(2, 1, 5));
            assertThat(hardState.sync(5, 2, NO_REPAIR, 5, true)).isTrue();
            hardState.save(new HardState(2, 1, 9));
            assertThat(hardState.sync(5, 2, NO_REPAIR, 9, true)).as("only the commit moved").isFalse();
            assertThat(hardState.current()).isEqualTo(new HardState(2, 1, 9));
            assertThat(onDisk(file)).as("what a crash now would leave").isEqualTo(new HardState(2, 1, 5));

            assertThat(hardState.sync(12, 2, NO_REPAIR, 12, true)).isTrue();
            assertThat(onDisk(file)).as("a new watermark is written, with the commit")
                .isEqualTo(new HardState(2, 1, 9));

            hardState.save(new HardState(3, HardState.NO_VOTE, 12));
            assertThat(onDisk(file)).as("kept until the group commit").isEqualTo(new HardState(2, 1, 9));
            hardState.sync(12, 2, NO_REPAIR, 12, true);
            assertThat(onDisk(file)).as("a new term is written with it")
                .isEqualTo(new HardState(3, HardState.NO_VOTE, 12));
            hardState.save(new HardState(3, 2, 12));
            hardState.sync(12, 2, NO_REPAIR, 12, true);
            assertThat(onDisk(file)).as("so is a vote").isEqualTo(new HardState(3, 2, 12));
            hardState.save(new HardState(3, 2, 20));
            hardState.sync(12, 2, NO_REPAIR, 12, true);
            assertThat(onDisk(file)).isEqualTo(new HardState(3, 2, 12));
            hardState.writeHeldCommit(18);
            assertThat(onDisk(file)).as("a clean stop, the log durable up to 18").isEqualTo(new HardState(3, 2, 18));
        }
    }

    @Test
    void theCommitWrittenNeverPassesTheDurableEndGiven()
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            hardState.save(new HardState(2, 1, 30));
            hardState.sync(25, 2, NO_REPAIR, 25, true);
        }
        assertThat(onDisk(file)).isEqualTo(new HardState(2, 1, 25));
    }

    private static HardState onDisk(final Path file)
    {
        return slots(file).state();
    }

    private static HardStateSlots slots(final Path file)
    {
        try (DiskFile channel = FileDisk.INSTANCE.open(file, Disk.OpenMode.READ))
        {
            return HardStateFile.read(channel);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void aTornWriteOfTheNewestSlotFallsBackToThePreviousStateAndItsLowerWatermark() throws IOException
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            hardState.save(new HardState(4, 2, 10));
            hardState.sync(10, 4, NO_REPAIR, 10, true);
            hardState.save(new HardState(5, 3, 11)); // second write: slot 0 (sequence 2)
            hardState.sync(14, 5, NO_REPAIR, 14, true);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(20); // inside the body of slot 0: as if the crash tore this write
            raf.write(0x7F);
        }
        final HardStateSlots torn = slots(file);
        assertThat(torn.validSlots()).isEqualTo(1);
        assertThat(torn.damagedSlots()).isEqualTo(1);
        assertThat(torn.syncedIndex()).as("the older slot's watermark: as true, only lower").isEqualTo(10);
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            assertThat(hardState.current()).isEqualTo(new HardState(4, 2, 10));
            // Writing again goes over the torn slot and wins on the next start.
            hardState.save(new HardState(6, 1, 12));
            hardState.sync(12, 6, NO_REPAIR, 12, true);
        }
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            assertThat(hardState.current()).isEqualTo(new HardState(6, 1, 12));
            assertThat(hardState.syncedIndex()).isEqualTo(12);
        }
    }

    @Test
    void garbageInTheFirstWritesSlotIsDamageNotANeverWrittenFile() throws IOException
    {
        // A slot lies within one sector, which a crash does not tear: bytes that are not a slot were written and
        // then damaged, and what they held is unknown (RecoveryVerdict makes the hard state count as lost).
        final Path file = dir.resolve("hardstate");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(HardStateFile.SLOT_SPACING + 3);
            raf.write(new byte[]{ 9, 9, 9 });
        }
        assertThat(slots(file).neverWritten()).isFalse();
        assertThat(slots(file).damagedSlots()).isEqualTo(1);
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            assertThat(hardState.current()).isEqualTo(HardState.INITIAL);
        }
    }

    @Test
    void twoDamagedSlotsRefuseToOpenTheFileAlone() throws IOException
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            hardState.save(new HardState(4, 2, 10));
            hardState.sync(10, 4, NO_REPAIR, 10, true);
            hardState.save(new HardState(5, 3, 11));
            hardState.sync(11, 5, NO_REPAIR, 11, true);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(20);
            raf.write(0x7F);
            raf.seek(HardStateFile.SLOT_SPACING + 20);
            raf.write(0x7F);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HardStateFile.open(FileDisk.INSTANCE, file))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("both hard state slots are damaged");
    }

    @Test
    void aWrittenFileHasBothSlotsLengthSoAShorterOneIsTruncated() throws IOException
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(FileDisk.INSTANCE, file))
        {
            hardState.save(new HardState(1, 1, 0));
            hardState.sync(0, 0, NO_REPAIR, 0, true);
        }
        assertThat(slots(file).fileLength()).isEqualTo(HardStateFile.WRITTEN_LENGTH);
        assertThat(slots(file).truncated()).isFalse();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(100);
        }
        assertThat(slots(file).truncated()).isTrue();
    }
}
