package io.ringraft.daemon.nemesis;

/** The nemesis's fault kinds; each is undone by its recovery before the run's checks. */
enum Fault
{
    /** SIGKILL of one member, restarted after a while. */
    KILL_ONE,
    /** SIGKILL of the member the client last saw lead a group. */
    KILL_LEADER,
    /** SIGKILL of both followers of a group, one after the other or at once. */
    KILL_FOLLOWERS,
    /** SIGKILL of every member, all restarted. */
    KILL_ALL,
    /** SIGSTOP of one member for longer than the election timeout (1-4 s), then SIGCONT. */
    PAUSE,
    /** SIGSTOP of one member for longer than 15 s (soak only: it dominates a short run). */
    PAUSE_LONG,
    /** Overlapping: one member SIGKILLed while another is SIGSTOPped (no majority for a while). */
    KILL_AND_PAUSE,
    /** SIGKILL of one member, the last 4 KiB of its synced log of a group zeroed (a minority's bytes), restart. */
    DAMAGED_TAIL,
    /** SIGKILL of one member, garbage written past the end of its log of a group (never synced, never acknowledged). */
    TORN_TAIL,
    /** The group's leader cut off from every other member, both ways (members in network namespaces only). */
    PARTITION_LEADER,
    /** A random minority cut off from the majority, both ways (network namespaces only). */
    PARTITION_HALVES,
    /** One member no longer hears another, which still hears it (network namespaces only). */
    PARTITION_ONE_WAY,
    /** Two sides that do not hear each other, and one member that hears both (network namespaces only). */
    PARTITION_BRIDGE,
    /**
     * One member's data disk (a loop-mounted ext4 of its own) frozen with fsfreeze for 2.5-6 s, longer than the
     * election timeout and the disk-stall bound's 2 s floor, then thawed; skipped where loop devices cannot be made.
     */
    DISK_FREEZE,
    /**
     * The admin command {@code leader transfer}: a group's leader asked to hand leadership to a random member, half
     * the time while another member is SIGSTOPped (a transfer meeting a fault; it may fail, which is fine).
     */
    TRANSFER_LEADER
}
