package io.ringraft.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PendingProposalsTest
{
    private static final ProposalCallback NONE = (c, g, s, i, l, r, o, n) -> {};

    @Test
    void boundedAndInOrder()
    {
        final PendingProposals pending = new PendingProposals(4);
        for (int i = 1; i <= 4; i++)
        {
            assertThat(pending.offer(i, 1, 100 + i, NONE, 0, 0)).isTrue();
        }
        assertThat(pending.isFull()).isTrue();
        assertThat(pending.offer(5, 1, 105, NONE, 0, 0)).as("full: refused, nothing queued").isFalse();
        assertThat(pending.headIndex()).isEqualTo(1);
        assertThat(pending.headCorrelationId()).isEqualTo(101);
        pending.pop();
        assertThat(pending.headIndex()).isEqualTo(2);
        assertThat(pending.size()).isEqualTo(3);
    }

    @Test
    void proposalsReplacedAtTheSameIndexByALaterTermAreDoomedNotLeftAhead()
    {
        final PendingProposals pending = new PendingProposals(8);
        pending.offer(10, 2, 1, NONE, 0, 0);
        pending.offer(11, 2, 2, NONE, 0, 0);
        pending.offer(12, 2, 3, NONE, 0, 0);
        // Leader again in term 4 after its log was overwritten from index 11.
        pending.offer(11, 4, 4, NONE, 0, 0);
        assertThat(pending.headDoomed()).as("index 10 of term 2 may still commit").isFalse();
        pending.pop();
        assertThat(pending.headDoomed()).isTrue();
        pending.pop();
        assertThat(pending.headDoomed()).isTrue();
        pending.pop();
        assertThat(pending.headDoomed()).isFalse();
        assertThat(pending.headIndex()).isEqualTo(11);
        assertThat(pending.headTerm()).isEqualTo(4);
    }
}
