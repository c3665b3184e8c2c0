package io.ringraft.daemon.session;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.SessionCloseDecoder;
import io.ringraft.codecs.sbe.SessionCommandDecoder;
import io.ringraft.codecs.sbe.SessionOpenDecoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What SessionRecords writes is exactly what the generated decoders read, at any offset. */
class SessionRecordsTest
{
    private static final int AT = 13;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    @Test
    void openDecodes()
    {
        final int length = SessionRecords.encodeOpen(buffer, AT, -5, 30_000);
        assertThat(length).isEqualTo(SessionRecords.OPEN_LENGTH);
        assertThat(Frames.validate(buffer, AT, length)).isEqualTo(FrameCheck.OK);
        final SessionOpenDecoder open = new SessionOpenDecoder().wrapAndApplyHeader(buffer, AT, header);
        assertThat(header.templateId()).isEqualTo(SessionOpenDecoder.TEMPLATE_ID);
        assertThat(open.clientNonce()).isEqualTo(-5);
        assertThat(open.timeoutMs()).isEqualTo(30_000);
    }

    @Test
    void commandDecodes()
    {
        final byte[] command = "the user's command".getBytes(StandardCharsets.US_ASCII);
        final int length =
            SessionRecords.encodeCommand(buffer, AT, 77, 5, 3, new UnsafeBuffer(command), 0, command.length);
        assertThat(length).isEqualTo(SessionRecords.commandLength(command.length));
        assertThat(Frames.validate(buffer, AT, length)).isEqualTo(FrameCheck.OK);
        final SessionCommandDecoder decoder = new SessionCommandDecoder().wrapAndApplyHeader(buffer, AT, header);
        assertThat(decoder.sessionId()).isEqualTo(77);
        assertThat(decoder.sequence()).isEqualTo(5);
        assertThat(decoder.respondedTo()).isEqualTo(3);
        final byte[] decoded = new byte[decoder.commandLength()];
        decoder.getCommand(decoded, 0, decoded.length);
        assertThat(decoded).isEqualTo(command);
        assertThat(decoder.limit()).isEqualTo(AT + length);
    }

    @Test
    void closeDecodes()
    {
        final int length = SessionRecords.encodeClose(buffer, AT, 99);
        assertThat(length).isEqualTo(SessionRecords.CLOSE_LENGTH);
        assertThat(Frames.validate(buffer, AT, length)).isEqualTo(FrameCheck.OK);
        assertThat(new SessionCloseDecoder().wrapAndApplyHeader(buffer, AT, header).sessionId()).isEqualTo(99);
    }

    @Test
    void outcomeOfAResult()
    {
        assertThat(SessionRecords.outcome(new byte[0])).isEqualTo(-1);
        assertThat(SessionRecords.outcome(new byte[]{8})).isEqualTo(-1);
        assertThat(SessionRecords.outcome(new byte[]{-1})).isEqualTo(-1);
        assertThat(SessionRecords.outcome(new byte[]{SessionOutcome.REPLAYED, 1})).isEqualTo(SessionOutcome.REPLAYED);
        final UnsafeBuffer opened = new UnsafeBuffer(new byte[AT + SessionRecords.OPENED_LENGTH]);
        opened.putByte(AT, SessionOutcome.OPENED);
        opened.putLong(AT + 1, 0x0102030405060708L, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(SessionRecords.outcome(opened, AT, SessionRecords.OPENED_LENGTH)).isEqualTo(SessionOutcome.OPENED);
        assertThat(SessionRecords.openedNonce(opened, AT)).isEqualTo(0x0102030405060708L);
        assertThat(SessionOutcome.name(SessionOutcome.ANSWER_DISCARDED)).isEqualTo("ANSWER_DISCARDED");
    }
}
