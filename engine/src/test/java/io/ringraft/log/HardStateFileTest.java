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
    @TempDir
    Path dir;

    @Test
    void roundTripsTheLatestState()
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            assertThat(hardState.current()).isEqualTo(HardState.INITIAL);
            hardState.save(new HardState(1, 3, 0));
            hardState.save(new HardState(2, HardState.NO_VOTE, 5));
            hardState.save(new HardState(2, 1, 9));
            hardState.force();
        }
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            assertThat(hardState.current()).isEqualTo(new HardState(2, 1, 9));
        }
    }

    @Test
    void aCommitThatAloneMovedIsWrittenWithTheNextTermOrVoteChangeOrAtACleanStop()
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            hardState.save(new HardState(2, 1, 5));
            hardState.force();
            hardState.save(new HardState(2, 1, 9));
            hardState.force();
            assertThat(hardState.current()).isEqualTo(new HardState(2, 1, 9));
            assertThat(onDisk(file)).as("what a crash now would leave").isEqualTo(new HardState(2, 1, 5));

            hardState.save(new HardState(3, HardState.NO_VOTE, 12));
            hardState.force();
            assertThat(onDisk(file)).as("a new term is written at once, with the commit")
                .isEqualTo(new HardState(3, HardState.NO_VOTE, 12));
            hardState.save(new HardState(3, 2, 12));
            assertThat(onDisk(file)).as("so is a vote").isEqualTo(new HardState(3, 2, 12));
            hardState.save(new HardState(3, 2, 20));
            assertThat(onDisk(file)).isEqualTo(new HardState(3, 2, 12));
            hardState.writeHeldCommit(18);
            assertThat(onDisk(file)).as("a clean stop, the log durable up to 18").isEqualTo(new HardState(3, 2, 18));
        }
    }

    private static HardState onDisk(final Path file)
    {
        try (HardStateFile other = HardStateFile.open(file))
        {
            return other.current();
        }
    }

    @Test
    void aTornWriteOfTheNewestSlotFallsBackToThePreviousState() throws IOException
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            hardState.save(new HardState(4, 2, 10));
            hardState.save(new HardState(5, 3, 11)); // second save: slot 0 (sequence 2)
            hardState.force();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(20); // inside the body of slot 0: as if the crash tore this write
            raf.write(0x7F);
        }
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            assertThat(hardState.current()).isEqualTo(new HardState(4, 2, 10));
            // Saving again goes over the torn slot and wins on the next start.
            hardState.save(new HardState(6, 1, 12));
            hardState.force();
        }
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            assertThat(hardState.current()).isEqualTo(new HardState(6, 1, 12));
        }
    }

    @Test
    void aTornFirstWriteMeansNothingWasSaved() throws IOException
    {
        final Path file = dir.resolve("hardstate");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(HardStateFile.SLOT_SPACING + 3);
            raf.write(new byte[]{ 9, 9, 9 });
        }
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            assertThat(hardState.current()).isEqualTo(HardState.INITIAL);
        }
    }

    @Test
    void twoDamagedSlotsRefuseToStart() throws IOException
    {
        final Path file = dir.resolve("hardstate");
        try (HardStateFile hardState = HardStateFile.open(file))
        {
            hardState.save(new HardState(4, 2, 10));
            hardState.save(new HardState(5, 3, 11));
            hardState.force();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(20);
            raf.write(0x7F);
            raf.seek(HardStateFile.SLOT_SPACING + 20);
            raf.write(0x7F);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HardStateFile.open(file))
            .isInstanceOf(CorruptLogException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("both hard state slots are damaged");
    }
}
