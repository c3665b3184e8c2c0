/**
 * The {@link io.ringraft.transport.Transport} over Aeron: {@link io.ringraft.aeron.AeronTransport}, configured by
 * {@link io.ringraft.aeron.AeronTransportContext}.
 * <p>
 * <b>Topology.</b> Each member listens on one subscription: its own {@code aeron:udp?endpoint=host:port}, or in
 * {@link io.ringraft.aeron.ChannelMode#IPC IPC} mode its own stream ({@code streamId + memberId}) of a driver all
 * members share. It reaches each peer through one exclusive publication (one writer: the pipeline's send stage).
 * <p>
 * <b>Media driver.</b> Embedded by default ({@link io.ringraft.aeron.EmbeddedMediaDriver}: no thread of its own,
 * sparse 16 MiB terms, a directory under /dev/shm unique to the member and deleted on start and shutdown); or
 * external, by naming its directory.
 * <p>
 * <b>Threads.</b> One per member ({@link io.ringraft.aeron.TransportDutyCycle}): it runs the receiver, the
 * pipeline's raft and send stages (it hosts the pipeline duty), the embedded driver and the Aeron client's conductor,
 * in that order, and backs off to parking when idle. Work queued for it from another thread (a proposal, a tick, the
 * persist and apply stages' feedback, a message sent by the persist stage) unparks it, since only this thread steps
 * Raft and moves a message from the publication to the socket; a datagram from a peer is seen when its park ends.
 * <p>
 * <b>Send path</b> ({@link io.ringraft.aeron.PeerSender}): encode in place with {@code tryClaim} when the message
 * fits one frame, else into a reused buffer and {@code offer}, which Aeron fragments. Never waits: any refusal
 * drops the message and counts it by reason; Raft retransmits.
 * <p>
 * <b>Receive path</b> ({@link io.ringraft.aeron.PeerReceiver}, on the duty-cycle thread): reassembles,
 * validates ({@code Frames.validatePeer}, then sender, addressee and content with
 * {@link io.ringraft.aeron.PeerContentCheck}) and only then hands the frame to the pipeline. Bad frames and handler
 * exceptions are counted and logged at most once a second; the agent never stops.
 * <p>
 * <b>Counters</b> ({@link io.ringraft.aeron.TransportCounters}, {@link io.ringraft.aeron.PeerCounters}): in memory of
 * the transport's own, labelled {@code ringraft c=<cluster> m=<member> ...}; not in the media driver's counters file,
 * which the Aeron client unmaps when it closes, as it does by itself when it times out.
 * <p>
 * <b>Pauses and driver loss</b>: when its Aeron client times out (the process was stopped or starved for longer than
 * Aeron's 10 s timeouts) or its driver stops, the transport stops touching the driver's memory, drops and counts
 * sends, and reconnects: it launches an embedded driver again if that stopped, then a new client, publications and
 * subscription ({@link io.ringraft.aeron.AeronTransport}). Default driver directories are unique per process, and
 * those of runs that are gone are deleted at start ({@link io.ringraft.aeron.DriverDirectories}).
 */
package io.ringraft.aeron;
