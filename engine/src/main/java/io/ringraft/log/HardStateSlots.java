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
 * @param syncedIndex  the newest valid slot's synced watermark: every entry up to it was durable before any
 *                     acknowledgement of it left; 0 when no slot is valid.
 * @param syncedTerm   the term of the entry at {@code syncedIndex}, as it was when written.
 * @param repairTerm   -1; else an earlier start found the hard state lost, and the repair it began is not complete
 *                     until the log holds an entry of a term above this one.
 * @param fileLength   the file's length in bytes.
 */
public record HardStateSlots(
    HardState state,
    long sequence,
    int validSlots,
    int damagedSlots,
    long syncedIndex,
    long syncedTerm,
    long repairTerm,
    long fileLength)
{
    /**
     * True when the file is shorter than one that was ever written (the first write goes to the second slot), yet
     * not empty: cut short by something other than a crash of the writer.
     */
    public boolean truncated()
    {
        return fileLength > 0 && fileLength < HardStateFile.WRITTEN_LENGTH;
    }

    /**
     * True when no slot was ever written: missing, empty, or zeros where no write has reached. A slot lies within one
     * sector, which a crash leaves old or new, so a damaged slot is damage, not a first write torn by a crash.
     */
    public boolean neverWritten()
    {
        return 0 == validSlots && 0 == damagedSlots;
    }
}
