package io.ringraft.pipeline;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import io.ringraft.transport.SendDuty;

/**
 * The {@link SendStage} run by the transport's own thread (see {@code Transport#hostsSendDuty}) instead of by a
 * thread of the pipeline: polls the send ring, at most {@link #MAX_PER_DUTY} messages per call, so the transport's
 * receiving and its driver's work are never starved by a burst. As with the threaded stage, a message whose send
 * throws is logged and skipped: the next one is still sent.
 */
final class HostedSendStage implements SendDuty, EventPoller.Handler<SendEvent>
{
    private static final System.Logger LOG = System.getLogger(HostedSendStage.class.getName());
    static final int MAX_PER_DUTY = 256;

    private final SendStage stage;
    private final EventPoller<SendEvent> poller;
    private final String name;
    private int taken;

    HostedSendStage(final SendStage stage, final RingBuffer<SendEvent> sendRing, final String name)
    {
        this.stage = stage;
        this.poller = sendRing.newPoller();
        this.name = name;
        sendRing.addGatingSequences(poller.getSequence());
    }

    @Override
    public int doWork()
    {
        taken = 0;
        try
        {
            poller.poll(this);
        }
        catch (final Exception ex)
        {
            // The poller has already moved past the event (onEvent does not throw): nothing is retried.
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " poll failed", ex);
        }
        return taken;
    }

    @Override
    public boolean onEvent(final SendEvent event, final long sequence, final boolean endOfBatch)
    {
        taken++;
        try
        {
            stage.onEvent(event, sequence, endOfBatch);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stage " + name + " failed at sequence " + sequence + "; event skipped", ex);
        }
        return taken < MAX_PER_DUTY;
    }

    /** The sequence up to which messages were handed to the transport. */
    long sequence()
    {
        return poller.getSequence().get();
    }
}
