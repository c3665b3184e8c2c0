package io.ringraft.aeron;

import io.ringraft.transport.PipelineDuty;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

/**
 * Everything one member's transport does in the background, on one thread: the receiver, the pipeline's raft and
 * send stages (when the transport hosts them), the embedded media driver's duty cycle (sending, receiving, flow
 * control) and the Aeron client's conductor (keep-alives, images coming and going). One thread per member rather
 * than six, and a peer's message is received, stepped through Raft and answered without a hand-off.
 */
final class TransportDutyCycle implements Agent
{
    private final PipelineDuty pipeline;
    private final AgentInvoker driver;
    private final AgentInvoker client;
    private final PeerReceiver receiver;

    /**
     * @param pipeline null unless the transport hosts the pipeline's duty.
     * @param driver   null with an external driver, which runs its own threads.
     */
    TransportDutyCycle(
        final PipelineDuty pipeline, final AgentInvoker driver, final AgentInvoker client, final PeerReceiver receiver)
    {
        this.pipeline = pipeline;
        this.driver = driver;
        this.client = client;
        this.receiver = receiver;
    }

    @Override
    public int doWork()
    {
        // In the order a message travels: what arrived goes through the pipeline, whose sends the driver's sender,
        // next, puts on the network in this same cycle. What the driver receives now is polled by the next cycle,
        // which follows without an idle wait because the driver reported work.
        int work = receiver.poll();
        work += null == pipeline ? 0 : pipeline.doWork();
        work += null == driver ? 0 : driver.invoke();
        work += client.invoke();
        return work;
    }

    @Override
    public String roleName()
    {
        return receiver.roleName();
    }
}
