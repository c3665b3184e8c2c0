package io.ringraft.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The stall bound's arithmetic, on an injected clock (ns). */
class PersistStallBoundTest
{
    private static final long MS = 1_000_000L;
    private static final long FLOOR = 2_000 * MS;
    /** Any start that is not 0 (0 means nothing outstanding). */
    private long now = 1_000_000 * MS;

    @Test
    void nothingOutstandingNeverStalls()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        now += 60_000 * MS;
        assertThat(bound.stalled(now)).isFalse();
        assertThat(bound.boundNs()).isEqualTo(FLOOR);
    }

    @Test
    void aDiskThatStopsAfterFastWritesStallsAtTheFloor()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        for (int i = 0; i < 1_000; i++)
        {
            bound.handedOver(now);
            now += MS / 2;
            bound.progressed(now, false);
        }
        bound.handedOver(now);
        now += FLOOR - 1;
        assertThat(bound.stalled(now)).isFalse();
        now += 1;
        assertThat(bound.stalled(now)).as("a dead disk is caught at the floor").isTrue();
        assertThat(bound.waitedNs(now)).isEqualTo(FLOOR);
    }

    @Test
    void aLoadedHostWithRecentSlowWaitsDoesNotStallAtTheFloor()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        // The waits seen on a loaded 2-core host with a healthy disk; the old fixed 300 ms bound flagged them all.
        for (final long waitMs : new long[]{318, 450, 700, 1_596})
        {
            bound.handedOver(now);
            now += waitMs * MS;
            assertThat(bound.stalled(now)).as("a wait of %d ms", waitMs).isFalse();
            bound.progressed(now, false);
        }
        bound.handedOver(now);
        now += 2_500 * MS;
        assertThat(bound.stalled(now)).as("past the floor, but within 8 x the recent 1,596 ms").isFalse();
        assertThat(bound.boundNs()).isEqualTo(8 * 1_596 * MS);
        now += 8 * 1_596 * MS - 2_500 * MS;
        assertThat(bound.stalled(now)).as("a stop after slow waits is still caught").isTrue();
    }

    @Test
    void aLowFloorStillStaysClearOfRecentSlowWaits()
    {
        final PersistStallBound bound = new PersistStallBound(300 * MS); // the old fixed figure, as a floor
        for (final long waitMs : new long[]{318, 450, 700, 1_596})
        {
            bound.handedOver(now);
            now += waitMs * MS;
            assertThat(bound.stalled(now)).as("a wait of %d ms", waitMs).isEqualTo(waitMs == 318);
            bound.progressed(now, false);
        }
        bound.handedOver(now);
        assertThat(bound.boundNs()).as("capped at 8 x the floor").isEqualTo(2_400 * MS);
    }

    @Test
    void progressWhileMoreIsOutstandingRestartsTheClockAndCountsAsLatency()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        bound.handedOver(now);
        now += 500 * MS;
        bound.handedOver(now); // an older hand-over already waits: the clock keeps its start
        now += 500 * MS;
        bound.progressed(now, true);
        assertThat(bound.waitedNs(now)).isZero();
        assertThat(bound.boundNs()).as("8 x the 1,000 ms wait that ended").isEqualTo(8_000 * MS);
        now += 7_999 * MS;
        assertThat(bound.stalled(now)).isFalse();
        now += MS;
        assertThat(bound.stalled(now)).isTrue();
    }

    @Test
    void slowWaitsAreForgottenAfterTheLoadEnds()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        bound.handedOver(now);
        now += 1_000 * MS;
        bound.progressed(now, false);
        now += 3 * PersistStallBound.HALF_LIFE_NS; // 1,000 ms halved three times: 125 ms, x 8 = 1,000 ms < floor
        bound.handedOver(now);
        assertThat(bound.boundNs()).isEqualTo(FLOOR);
        now += FLOOR;
        assertThat(bound.stalled(now)).isTrue();
    }

    @Test
    void theBoundIsCappedSoAnEverSlowerDiskStillCounts()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        bound.handedOver(now);
        now += 60_000 * MS;
        bound.progressed(now, false);
        bound.handedOver(now);
        assertThat(bound.boundNs()).isEqualTo(PersistStallBound.CEILING_FACTOR * FLOOR);
    }

    @Test
    void aStallActedOnNeedsAWholeBoundMore()
    {
        final PersistStallBound bound = new PersistStallBound(FLOOR);
        bound.handedOver(now);
        now += FLOOR;
        assertThat(bound.stalled(now)).isTrue();
        bound.restart(now);
        assertThat(bound.stalled(now + FLOOR - 1)).isFalse();
        assertThat(bound.stalled(now + FLOOR)).isTrue();
    }
}
