/**
 * The per-node Disruptor pipeline that hosts many Raft groups on one set of threads, so that heartbeats never
 * wait for the disk or the state machine.
 * <pre>
 *  transport receiver, clients, ticker,  -> INBOUND ring (multi-producer) -> raft stage: step/tick every group,
 *  PERSISTED / APPLIED feedback                                              extract Readies at end of batch
 *                                               raft stage --messages now--> SEND ring -> send stage -> Transport
 *                                               raft stage --tryNext-------> PERSIST ring -> persist stage:
 *                                                    append all, one force per log per batch, then release
 *                                                    after-persist messages and report PERSISTED
 *                                               raft stage --tryNext-------> APPLY ring -> apply stage: re-read
 *                                                    committed entries from the log, apply in order once,
 *                                                    complete proposals, answer reads, snapshot, report APPLIED
 * </pre>
 * The raft stage never blocks: when the persist or apply ring is full the work stays in per-group cursors and
 * is retried after the next event or tick, while messages keep leaving. Backpressure goes to clients
 * (BACK_PRESSURED), never to heartbeats. Entry point: {@link io.ringraft.pipeline.RingraftNode#launch}.
 * Threads per node: ticker, raft, persist, apply, and send — unless the transport hosts the pipeline's duty
 * ({@link io.ringraft.transport.Transport#hostsPipelineDuty}, as the Aeron transport does): then its own thread runs
 * the raft stage over the inbound ring and the send stage over the send ring ({@code HostedStage}), after it has
 * delivered what it received, and a proposal, a tick or the persist and apply stages' feedback wakes it
 * ({@code TransportWakeup}). Left are ticker, persist and apply threads: an entry crosses two threads fewer, and a
 * peer's message is received, stepped and answered on one. The raft stage's rules stay the same on either thread:
 * it never blocks, and its sends never wait.
 */
package io.ringraft.pipeline;
