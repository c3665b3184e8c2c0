package io.ringraft.aeron;

import io.ringraft.transport.SendDuty;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

/**
 * Everything one member's transport does in the background, on one thread: the pipeline's sends (when the
 * transport hosts them), the embedded media driver's duty cycle (sending, receiving, flow control), the Aeron
 * client's conductor (keep-alives, images coming and going), and the receiver. One thread per member rather than
 * four, and a message goes from the raft stage to the network, or from the network to the pipeline, after one
 * wake-up.
 */
final class TransportDutyCycle implements Agent
{
    private final SendDuty sends;
    private final AgentInvoker driver;
    private final AgentInvoker client;
    private final PeerReceiver receiver;

    /**
     * @param sends  null unless the transport hosts the pipeline's sends.
     * @param driver null with an external driver, which runs its own threads.
     */
    TransportDutyCycle(
        final SendDuty sends, final AgentInvoker driver, final AgentInvoker client, final PeerReceiver receiver)
    {
        this.sends = sends;
        this.driver = driver;
        this.client = client;
        this.receiver = receiver;
    }

    @Override
    public int doWork()
    {
        // Sends first, so that the driver's sender, next, puts them on the network in this same cycle.
        int work = null == sends ? 0 : sends.doWork();
        work += null == driver ? 0 : driver.invoke();
        work += client.invoke();
        work += receiver.poll();
        return work;
    }

    @Override
    public String roleName()
    {
        return receiver.roleName();
    }
}
