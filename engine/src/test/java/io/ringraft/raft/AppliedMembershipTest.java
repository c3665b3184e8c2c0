package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The apply stage's view of the configuration takes each configuration entry as the core does. */
class AppliedMembershipTest
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);

    private void apply(final AppliedMembership applied, final ConfChange change)
    {
        applied.apply(buffer, 0, new ConfChangeCodec().encode(change, buffer, 0));
    }

    @Test
    void followsChangesThroughAJointConfigurationAndBack()
    {
        final AppliedMembership applied = new AppliedMembership(Membership.ofVoters(1, 2, 3));
        apply(applied, ConfChange.single(ConfChangeType.ADD_LEARNER, 4, ""));
        assertThat(applied.membership().learners()).containsExactly(4);
        apply(applied, new ConfChange(ConfChangeTransition.AUTO, List.of(
            new ConfChange.Change(ConfChangeType.PROMOTE_LEARNER, 4, null),
            new ConfChange.Change(ConfChangeType.REMOVE_MEMBER, 1, null))));
        assertThat(applied.membership().isJoint()).isTrue();
        apply(applied, ConfChange.leaveJoint());
        assertThat(applied.membership()).isEqualTo(Membership.ofVoters(2, 3, 4));
    }

    @Test
    void anEntryTheCoreSkipsLeavesTheConfigurationAsItWas()
    {
        final AppliedMembership applied = new AppliedMembership(Membership.ofVoters(1, 2, 3));
        apply(applied, ConfChange.leaveJoint()); // not joint: refused
        apply(applied, ConfChange.single(ConfChangeType.PROMOTE_LEARNER, 9, "")); // not a learner: refused
        applied.apply(new UnsafeBuffer(new byte[3]), 0, 3); // not a ConfChange at all
        assertThat(applied.membership()).isEqualTo(Membership.ofVoters(1, 2, 3));

        applied.reset(Membership.ofVoters(5));
        assertThat(applied.membership()).as("restored from a snapshot").isEqualTo(Membership.ofVoters(5));
    }
}
