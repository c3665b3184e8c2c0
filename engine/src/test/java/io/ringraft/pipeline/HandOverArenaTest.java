package io.ringraft.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The arena never hands out bytes still in use, wraps around whole regions, and says when it is full. */
class HandOverArenaTest
{
    @Test
    void regionsAreContiguousWrapWholeAndAreReusedOnlyOnceFreed()
    {
        final HandOverArena arena = new HandOverArena(100);
        assertThat(arena.tryAllocate(40)).isEqualTo(0);
        final long firstEnd = arena.regionEnd();
        assertThat(arena.tryAllocate(40)).isEqualTo(40);
        final long secondEnd = arena.regionEnd();
        // 20 bytes left at the end, but a region never wraps: it needs the start, which is still in use.
        assertThat(arena.tryAllocate(30)).as("no room until the first region is freed").isEqualTo(-1);
        arena.freeUpTo(firstEnd);
        assertThat(arena.tryAllocate(30)).as("skips the tail, starts over at 0").isEqualTo(0);
        assertThat(arena.tryAllocate(20)).as("the skipped tail counts as used until freed").isEqualTo(-1);
        arena.freeUpTo(secondEnd);
        assertThat(arena.tryAllocate(20)).isEqualTo(30);
        assertThat(arena.tryAllocate(101)).as("bigger than the arena").isEqualTo(-1);
    }

    @Test
    void bytesWrittenToARegionReadBackUntilFreed()
    {
        final HandOverArena arena = new HandOverArena(64);
        final int a = arena.tryAllocate(8);
        arena.buffer().putLong(a, 42L);
        final int b = arena.tryAllocate(8);
        arena.buffer().putLong(b, 43L);
        assertThat(arena.readBuffer().getLong(a)).isEqualTo(42L);
        assertThat(arena.readBuffer().getLong(b)).isEqualTo(43L);
    }
}
