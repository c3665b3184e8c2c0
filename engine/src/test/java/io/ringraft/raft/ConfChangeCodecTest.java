package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConfChangeCodecTest
{
    private final ConfChangeCodec codec = new ConfChangeCodec();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);

    @Test
    void roundTripsEveryField()
    {
        final ConfChange change = new ConfChange(ConfChangeTransition.JOINT_EXPLICIT, List.of(
            new ConfChange.Change(ConfChangeType.ADD_VOTER, 4, "10.0.0.4:9000"),
            new ConfChange.Change(ConfChangeType.REMOVE_MEMBER, 1, null)));
        final int length = codec.encode(change, buffer, 8);
        assertThat(codec.decode(buffer, 8, length)).isEqualTo(change);
    }

    @Test
    void emptyChangeRoundTrips()
    {
        final int length = codec.encode(ConfChange.leaveJoint(), buffer, 0);
        assertThat(codec.decode(buffer, 0, length)).isEqualTo(ConfChange.leaveJoint());
    }

    @Test
    void foreignBytesAreRefusedWithAReason()
    {
        buffer.setMemory(0, 32, (byte)7);
        assertThatIllegalArgumentException().isThrownBy(() -> codec.decode(buffer, 0, 32))
            .withMessageContaining("template");
        assertThatIllegalArgumentException().isThrownBy(() -> codec.decode(buffer, 0, 3))
            .withMessageContaining("too short");
    }
}
