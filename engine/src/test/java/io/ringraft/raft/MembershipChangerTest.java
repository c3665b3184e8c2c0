package io.ringraft.raft;

import io.ringraft.codecs.sbe.ConfChangeTransition;
import io.ringraft.codecs.sbe.ConfChangeType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.ringraft.codecs.sbe.ConfChangeType.ADD_LEARNER;
import static io.ringraft.codecs.sbe.ConfChangeType.ADD_VOTER;
import static io.ringraft.codecs.sbe.ConfChangeType.PROMOTE_LEARNER;
import static io.ringraft.codecs.sbe.ConfChangeType.REMOVE_MEMBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MembershipChangerTest
{
    private static final Membership THREE = Membership.ofVoters(1, 2, 3);

    private static ConfChange.Change change(final ConfChangeType type, final int id)
    {
        return new ConfChange.Change(type, id, null);
    }

    @Test
    void addingOneVoterIsASimpleChange()
    {
        final Membership next = MembershipChanger.apply(THREE, ConfChange.single(ADD_VOTER, 4, "h:4"));
        assertThat(next).isEqualTo(Membership.ofVoters(1, 2, 3, 4));
    }

    @Test
    void endpointsOfAddedMembersFollowTheConfigurationAndSurviveItsEncoding()
    {
        final Membership learner = MembershipChanger.apply(THREE, ConfChange.single(ADD_LEARNER, 4, "h4:7000"));
        assertThat(learner.endpoints()).containsExactly(java.util.Map.entry(4, "h4:7000"));
        final Membership promoted = MembershipChanger.apply(learner, ConfChange.single(PROMOTE_LEARNER, 4, null));
        assertThat(promoted.endpoints()).containsExactly(java.util.Map.entry(4, "h4:7000"));
        final Membership five = MembershipChanger.apply(promoted, ConfChange.single(ADD_LEARNER, 5, "h5:7000"));

        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(256);
        final io.ringraft.wire.MembershipCodec codec = new io.ringraft.wire.MembershipCodec();
        final int length = codec.encode(five, 9, buffer, 0);
        assertThat(length).isEqualTo(io.ringraft.wire.MembershipCodec.encodedLength(five));
        final Membership decoded = codec.decode(buffer, 0);
        assertThat(decoded).isEqualTo(five);
        assertThat(decoded.endpoints())
            .containsExactly(java.util.Map.entry(4, "h4:7000"), java.util.Map.entry(5, "h5:7000"));

        final Membership removed = MembershipChanger.apply(decoded, ConfChange.single(REMOVE_MEMBER, 4, null));
        assertThat(removed.endpoints()).containsExactly(java.util.Map.entry(5, "h5:7000"));
    }

    @Test
    void learnersAreAddedAndPromoted()
    {
        final Membership withLearner = MembershipChanger.apply(THREE, ConfChange.single(ADD_LEARNER, 4, null));
        assertThat(withLearner.learners()).containsExactly(4);
        assertThat(withLearner.isVoter(4)).isFalse();
        final Membership promoted = MembershipChanger.apply(withLearner, ConfChange.single(PROMOTE_LEARNER, 4, null));
        assertThat(promoted).isEqualTo(Membership.ofVoters(1, 2, 3, 4));
    }

    @Test
    void replacingAVoterNeedsJointConsensusLeftAutomatically()
    {
        final ConfChange replace = new ConfChange(ConfChangeTransition.AUTO,
            List.of(change(ADD_VOTER, 4), change(REMOVE_MEMBER, 1)));
        final Membership joint = MembershipChanger.apply(THREE, replace);
        assertThat(joint.isJoint()).isTrue();
        assertThat(joint.autoLeave()).isTrue();
        assertThat(joint.voters()).containsExactly(2, 3, 4);
        assertThat(joint.outgoingVoters()).containsExactly(1, 2, 3);
        final Membership left = MembershipChanger.leaveJoint(joint);
        assertThat(left).isEqualTo(Membership.ofVoters(2, 3, 4));
    }

    @Test
    void explicitJointIsLeftByAnEmptyChange()
    {
        final Membership joint = MembershipChanger.apply(THREE,
            new ConfChange(ConfChangeTransition.JOINT_EXPLICIT, List.of(change(ADD_VOTER, 4))));
        assertThat(joint.isJoint()).isTrue();
        assertThat(joint.autoLeave()).isFalse();
        assertThat(MembershipChanger.apply(joint, ConfChange.leaveJoint())).isEqualTo(Membership.ofVoters(1, 2, 3, 4));
    }

    @Test
    void voterDemotedDuringJointWaitsInLearnersNext()
    {
        final Membership joint = MembershipChanger.apply(THREE, new ConfChange(ConfChangeTransition.AUTO,
            List.of(change(ADD_LEARNER, 3), change(ADD_VOTER, 4))));
        assertThat(joint.learnersNext()).containsExactly(3);
        assertThat(joint.learners()).isEmpty();
        final Membership left = MembershipChanger.leaveJoint(joint);
        assertThat(left.learners()).containsExactly(3);
        assertThat(left.voters()).containsExactly(1, 2, 4);
    }

    @Test
    void badChangesAreRefusedWithAReason()
    {
        assertThatIllegalArgumentException().isThrownBy(() -> MembershipChanger.apply(Membership.ofVoters(1),
            ConfChange.single(REMOVE_MEMBER, 1, null))).withMessageContaining("every voter");
        assertThatIllegalArgumentException().isThrownBy(() -> MembershipChanger.apply(THREE,
            ConfChange.single(PROMOTE_LEARNER, 9, null))).withMessageContaining("not a learner");
        assertThatIllegalArgumentException().isThrownBy(() -> MembershipChanger.apply(THREE,
            ConfChange.leaveJoint())).withMessageContaining("not joint");
        assertThatIllegalArgumentException().isThrownBy(() -> MembershipChanger.apply(THREE,
            ConfChange.single(REMOVE_MEMBER, 9, null))).withMessageContaining("not a member");
        final Membership joint = MembershipChanger.apply(THREE,
            new ConfChange(ConfChangeTransition.JOINT_EXPLICIT, List.of(change(ADD_VOTER, 4))));
        assertThatIllegalArgumentException().isThrownBy(() -> MembershipChanger.apply(joint,
            ConfChange.single(ADD_VOTER, 5, null))).withMessageContaining("joint");
    }
}
