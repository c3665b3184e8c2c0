package io.ringraft.aeron;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

/**
 * Everything one member's transport does in the background, on one thread: the embedded media driver's duty cycle
 * (sending, receiving, flow control), the Aeron client's conductor (keep-alives, images coming and going), and the
 * receiver. One thread per member rather than three, and a datagram reaches the pipeline after one wake-up.
 */
final class TransportDutyCycle implements Agent
{
    private final AgentInvoker driver;
    private final AgentInvoker client;
    private final PeerReceiver receiver;

    /**
     * @param driver null with an external driver, which runs its own threads.
     */
    TransportDutyCycle(final AgentInvoker driver, final AgentInvoker client, final PeerReceiver receiver)
    {
        this.driver = driver;
        this.client = client;
        this.receiver = receiver;
    }

    @Override
    public int doWork()
    {
        int work = null == driver ? 0 : driver.invoke();
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
