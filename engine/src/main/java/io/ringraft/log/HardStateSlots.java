package io.ringraft.log;

import io.ringraft.raft.HardState;

/**
 * What a hard state file holds: the state of its newest valid slot, and how many of its two slots are valid or
 * damaged (a slot of zeros is neither: never written).
 *
 * @param state        the newest valid slot's state, {@link HardState#INITIAL} when no slot is valid.
 * @param sequence     the newest valid slot's write sequence, 0 when none is valid.
 * @param validSlots   slots whose frame, checksum and SBE header are valid.
 * @param damagedSlots slots holding bytes that are not a valid record.
 */
public record HardStateSlots(HardState state, long sequence, int validSlots, int damagedSlots)
{
}
