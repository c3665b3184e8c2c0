package io.ringraft.aeron;

/** How members of a cluster reach each other through Aeron. */
public enum ChannelMode
{
    /**
     * {@code aeron:udp}: each member subscribes on its own endpoint and publishes to every peer's endpoint, all on
     * one stream id. The production mode; every member may run its own media driver.
     */
    UDP,

    /**
     * {@code aeron:ipc}: shared memory, for clusters whose members live in one process. All members must use the
     * same media driver (give them its directory); since there are no endpoints, each member listens on its own
     * stream id, {@code streamId + memberId}.
     */
    IPC
}
