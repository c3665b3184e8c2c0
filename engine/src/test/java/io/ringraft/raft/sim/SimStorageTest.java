package io.ringraft.raft.sim;

import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.raft.LogReader;
import io.ringraft.raft.Membership;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durability model the crash tests stand on: what is visible, what a write truncates, what a snapshot keeps. */
class SimStorageTest
{
    private final SimStorage storage = new SimStorage(Membership.ofVoters(1, 2, 3));

    @Test
    void appendTruncatesEverythingAtOrAboveTheBatchStart()
    {
        storage.append(entries(1, 1, 1, 1, 1));
        storage.append(entries(3, 2, 2));

        assertThat(storage.lastIndex()).isEqualTo(4);
        assertThat(storage.term(2)).isEqualTo(1);
        assertThat(storage.term(3)).isEqualTo(2);
        assertThat(storage.term(5)).isEqualTo(LogReader.NO_TERM);
    }

    @Test
    void appendRefusesAGap()
    {
        storage.append(entries(1, 1));

        assertThatThrownBy(() -> storage.append(entries(3, 1))).hasMessageContaining("log gap");
    }

    @Test
    void receivedSnapshotKeepsAMatchingSuffixAndDropsAConflictingLog()
    {
        storage.append(entries(1, 1, 1, 1, 1));
        storage.installSnapshot(new SimStorage.StoredSnapshot(2, 1, Membership.ofVoters(1, 2, 3), new byte[0]));

        assertThat(storage.firstIndex()).isEqualTo(3);
        assertThat(storage.lastIndex()).isEqualTo(4);
        assertThat(storage.term(2)).isEqualTo(1);
        assertThat(storage.term(1)).isEqualTo(LogReader.NO_TERM);

        storage.installSnapshot(new SimStorage.StoredSnapshot(3, 5, Membership.ofVoters(1, 2, 3), new byte[0]));

        assertThat(storage.lastIndex()).isEqualTo(3);
        assertThat(storage.term(3)).isEqualTo(5);
    }

    @Test
    void localSnapshotCompactsAndMustMatchTheLog()
    {
        storage.append(entries(1, 1, 1, 2));
        storage.snapshotTaken(new SimStorage.StoredSnapshot(2, 1, Membership.ofVoters(1), new byte[]{1, 2}));

        assertThat(storage.snapshotIndex()).isEqualTo(2);
        assertThat(storage.entry(2)).isNull();
        assertThat(storage.entry(3).term()).isEqualTo(2);
        assertThat(storage.length()).isEqualTo(2);
        assertThatThrownBy(() -> storage.snapshotTaken(
            new SimStorage.StoredSnapshot(3, 1, Membership.ofVoters(1), new byte[0])))
            .hasMessageContaining("does not match the durable log");
    }

    @Test
    void readStopsAtMaxBytesButVisitsAtLeastOneEntry()
    {
        storage.append(entries(1, 1, 1, 1));
        final List<Long> visited = new ArrayList<>();

        final long last = storage.read(1, 3, 1, (index, term, type, timestamp, payload, offset, length) -> visited.add(index));

        assertThat(last).isEqualTo(1);
        assertThat(visited).containsExactly(1L);
        assertThat(storage.read(5, 6, 100, (i, t, ty, ts, p, o, l) -> visited.add(i))).isEqualTo(4);
    }

    static List<SimStorage.StoredEntry> entries(final long firstIndex, final long... terms)
    {
        final List<SimStorage.StoredEntry> list = new ArrayList<>();
        for (int i = 0; i < terms.length; i++)
        {
            list.add(new SimStorage.StoredEntry(firstIndex + i, terms[i], EntryType.NORMAL, 0, new byte[]{(byte)i}));
        }
        return list;
    }
}
