package io.ringraft.aeron;

import io.ringraft.transport.PipelineDuty;
import org.agrona.concurrent.Agent;

/**
 * Everything one member's transport does in the background, on one thread: the receiver, the pipeline's raft and
 * send stages (when the transport hosts them), the embedded media driver's duty cycle (sending, receiving, flow
 * control) and the Aeron client's conductor (keep-alives, images coming and going). One thread per member rather
 * than six, and a peer's message is received, stepped through Raft and answered without a hand-off.
 */
final class TransportDutyCycle implements Agent
{
    private final PipelineDuty pipeline;
    private final AeronTransport transport;
    private final PeerReceiver receiver;

    /**
     * @param pipeline  null unless the transport hosts the pipeline's duty.
     * @param transport runs the embedded driver (with an external one, that runs its own threads) and the client.
     */
    TransportDutyCycle(final PipelineDuty pipeline, final AeronTransport transport, final PeerReceiver receiver)
    {
        this.pipeline = pipeline;
        this.transport = transport;
        this.receiver = receiver;
    }

    @Override
    public int doWork()
    {
        // In the order a message travels: what arrived goes through the pipeline, whose sends the driver's sender,
        // next, puts on the network in this same cycle. What the driver receives now is polled by the next cycle,
        // which follows without an idle wait because the driver reported work. While the transport reconnects its
        // Aeron client there is no subscription to poll, but the pipeline runs on (its sends are dropped).
        int work = transport.isLinked() ? receiver.poll() : 0;
        work += null == pipeline ? 0 : pipeline.doWork();
        work += transport.driveAeron();
        return work;
    }

    @Override
    public String roleName()
    {
        return receiver.roleName();
    }
}
