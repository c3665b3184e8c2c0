package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UnstableEntriesTest
{
    private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[64]);

    @Test
    void droppingDurableEntriesKeepsTheRestReadable()
    {
        final UnstableEntries entries = new UnstableEntries(5);
        for (long i = 5; i <= 9; i++)
        {
            entries.append(i, i, EntryType.NORMAL, 0, PAYLOAD, 0, (int)i);
        }
        entries.dropUpTo(6);
        assertThat(entries.offset()).isEqualTo(7);
        assertThat(entries.term(6)).isEqualTo(LogReader.NO_TERM);
        assertThat(entries.term(8)).isEqualTo(8);
        final List<Long> lengths = new ArrayList<>();
        entries.read(7, 9, Long.MAX_VALUE, true, (index, term, type, timestamp, payload, offset, length) ->
            lengths.add((long)length));
        assertThat(lengths).containsExactly(7L, 8L, 9L);
        entries.truncateFrom(8);
        assertThat(entries.lastIndex()).isEqualTo(7);
        entries.append(8, 20, EntryType.NO_OP, 0, PAYLOAD, 0, 0);
        assertThat(entries.term(8)).isEqualTo(20);
        assertThat(entries.type(8)).isEqualTo(EntryType.NO_OP);
    }

    @Test
    void byteCappedCopyTakesWholeEntriesAndAlwaysTheFirst()
    {
        final UnstableEntries entries = new UnstableEntries(1);
        for (long i = 1; i <= 5; i++)
        {
            entries.append(i, 1, EntryType.NORMAL, 0, PAYLOAD, 0, 10);
        }
        final EntryBatch copy = new EntryBatch();
        assertThat(entries.copyTo(2, 5, 25, copy)).isEqualTo(3);
        assertThat(copy.count()).isEqualTo(2);
        assertThat(entries.copyTo(2, 5, 1, copy)).isEqualTo(2);
        assertThat(copy.count()).isEqualTo(1);
    }
}
