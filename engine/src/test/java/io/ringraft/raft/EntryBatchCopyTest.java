package io.ringraft.raft;

import io.ringraft.codecs.sbe.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A batch whose last payload is not a multiple of 8 can be copied: its encoded length covers the padding. */
class EntryBatchCopyTest
{
    @Test
    void batchEndingInPaddingCopiesIntoAMessage()
    {
        // Whether the unwritten padding falls outside the buffer depends on its growth steps: try many lengths.
        for (int length = 1; length < 5000; length++)
        {
            final Message original = new Message();
            original.entries.append(1, 1, EntryType.NORMAL, 0, new UnsafeBuffer(new byte[length]), 0, length);

            final Message copy = new Message().copyFrom(original);

            assertThat(copy.entries.count()).isEqualTo(1);
            assertThat(copy.entries.payloadBytes()).isEqualTo(length);
        }
    }
}
