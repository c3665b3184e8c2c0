package io.ringraft.raft.sim;

import io.ringraft.raft.Message;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The simulated network: per-direction links that can be cut (partitions, symmetric or not), plus loss,
 * duplication, random delay and therefore reordering. Each message is deep-copied when sent, so nothing the
 * sender does afterwards can change what the receiver sees. Whether a link is up is decided on arrival, so a
 * partition also catches messages already in flight.
 */
final class SimNetwork
{
    private final Random random;
    private final boolean[][] cut;
    private double dropRate;
    private double duplicateRate;
    private int maxDelay;
    private double longDelayRate;
    private final int longDelay;
    private UnaryOperator<Message> interceptor;
    private long sent;
    private long dropped;

    SimNetwork(final Random random, final int maxMemberId, final SimConfig config)
    {
        this.random = random;
        this.cut = new boolean[maxMemberId + 1][maxMemberId + 1];
        this.dropRate = config.dropRate();
        this.duplicateRate = config.duplicateRate();
        this.maxDelay = Math.max(1, config.maxDelay());
        this.longDelayRate = config.longDelayRate();
        this.longDelay = 3 * config.electionTicks() * SimConfig.TICK;
    }

    /** No loss, no duplicates, no long delays any more (the calm phase); partitions are healed separately. */
    void calm()
    {
        dropRate = 0;
        duplicateRate = 0;
        longDelayRate = 0;
    }

    /**
     * Scripted scenarios drop (return null) or rewrite exactly the messages they name, e.g. "the new leader's
     * first append". The interceptor sees the sender's copy before loss and duplication; null removes it.
     */
    void intercept(final UnaryOperator<Message> interceptor)
    {
        this.interceptor = interceptor;
    }

    void dropWhen(final Predicate<Message> rule)
    {
        intercept(null == rule ? null : m -> rule.test(m) ? null : m);
    }

    /** @return the copy that goes on the wire, or null when the scenario removes it. */
    Message intercepted(final Message copy)
    {
        return null == interceptor ? copy : interceptor.apply(copy);
    }

    /** @return the number of copies to deliver (0 = lost, 2 = duplicated). */
    int copies()
    {
        sent++;
        if (random.nextDouble() < dropRate)
        {
            dropped++;
            return 0;
        }
        return random.nextDouble() < duplicateRate ? 2 : 1;
    }

    /** A delay in simulator units; occasionally a long one, which reorders the message behind later ones. */
    long delay()
    {
        if (longDelayRate > 0 && random.nextDouble() < longDelayRate)
        {
            return 1 + random.nextInt(longDelay);
        }
        return 1 + random.nextInt(maxDelay);
    }

    static Message copyOf(final Message message)
    {
        return new Message().copyFrom(message);
    }

    boolean isUp(final int from, final int to)
    {
        return !cut[from][to];
    }

    void cut(final int from, final int to)
    {
        cut[from][to] = true;
    }

    void isolate(final int member, final int[] all)
    {
        for (final int other : all)
        {
            if (other != member)
            {
                cut[member][other] = true;
                cut[other][member] = true;
            }
        }
    }

    /** Splits the members into two sides that cannot talk to each other. */
    void split(final int[] sideA, final int[] sideB)
    {
        for (final int a : sideA)
        {
            for (final int b : sideB)
            {
                cut[a][b] = true;
                cut[b][a] = true;
            }
        }
    }

    void healAll()
    {
        for (final boolean[] row : cut)
        {
            Arrays.fill(row, false);
        }
    }

    void countDropped()
    {
        dropped++;
    }

    long sent()
    {
        return sent;
    }

    long dropped()
    {
        return dropped;
    }
}
