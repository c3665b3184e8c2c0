package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A batch wrapping entries laid out in another buffer (the pipeline's hand-over arenas) reads them in place. */
class EntryBatchWrapTest
{
    private static EntryBatch batchOf(final long firstIndex, final int... payloadLengths)
    {
        final EntryBatch batch = new EntryBatch();
        long index = firstIndex;
        for (final int length : payloadLengths)
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[length]);
            for (int i = 0; i < length; i++)
            {
                payload.putByte(i, (byte)(index + i));
            }
            batch.append(index, 7, EntryType.NORMAL, 100 + index, payload, 0, length);
            index++;
        }
        return batch;
    }

    private static List<String> describe(final EntryBatch batch)
    {
        final List<String> entries = new ArrayList<>();
        batch.forEach((index, term, type, timestamp, payload, offset, length) ->
        {
            final StringBuilder bytes = new StringBuilder();
            for (int i = 0; i < length; i++)
            {
                bytes.append(payload.getByte(offset + i)).append(',');
            }
            entries.add(index + "/" + term + "/" + type + "/" + timestamp + "/" + bytes);
        });
        return entries;
    }

    @Test
    void readsTheWrappedRegionInPlaceAtAnOffsetOfAnOffHeapBuffer()
    {
        final EntryBatch source = batchOf(5, 3, 0, 64, 13);
        final UnsafeBuffer arena = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        final int offset = 200;
        arena.putBytes(offset, source.encodedBuffer(), 0, source.encodedLength());

        final EntryBatch wrapped = new EntryBatch(0);
        wrapped.wrap(arena, offset, source.encodedLength());

        assertThat(wrapped.count()).isEqualTo(4);
        assertThat(wrapped.firstIndex()).isEqualTo(5);
        assertThat(wrapped.lastIndex()).isEqualTo(8);
        assertThat(wrapped.lastTerm()).isEqualTo(7);
        assertThat(wrapped.payloadBytes()).isEqualTo(80);
        assertThat(wrapped.encodedLength()).isEqualTo(source.encodedLength());
        assertThat(describe(wrapped)).isEqualTo(describe(source));

        // In place: a copy taken from the wrapped batch sees what the region holds.
        final Message copy = new Message();
        copy.entries.copyFrom(wrapped.encodedBuffer(), 0, wrapped.encodedLength());
        assertThat(describe(copy.entries)).isEqualTo(describe(source));
    }

    @Test
    void isReadOnlyUntilClearedThenWritesIntoItsOwnBufferAgain()
    {
        final EntryBatch source = batchOf(1, 8, 8);
        final EntryBatch batch = batchOf(1, 16);
        batch.wrap(source.encodedBuffer(), 0, source.encodedLength());

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4]);
        assertThatThrownBy(() -> batch.append(3, 7, EntryType.NORMAL, 0, payload, 0, 4))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("wrapping");
        assertThat(describe(source)).hasSize(2);

        batch.clear();
        batch.append(9, 2, EntryType.NORMAL, 0, payload, 0, 4);
        assertThat(batch.count()).isEqualTo(1);
        assertThat(batch.firstIndex()).isEqualTo(9);
        assertThat(describe(source)).isEqualTo(describe(batchOf(1, 8, 8)));
    }

    @Test
    void wrappingNothingLeavesAnEmptyWritableBatch()
    {
        final EntryBatch batch = batchOf(1, 8);
        batch.wrap(new UnsafeBuffer(new byte[0]), 0, 0);

        assertThat(batch.isEmpty()).isTrue();
        batch.append(4, 1, EntryType.NORMAL, 0, new UnsafeBuffer(new byte[1]), 0, 1);
        assertThat(batch.lastIndex()).isEqualTo(4);
    }
}
