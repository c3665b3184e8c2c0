/*
 * ringraft
 */
package io.ringraft.tools.perf;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How often each {@link Operation} is sent, written {@code put=90,get=10}: weights, not necessarily summing to 100;
 * an operation not named is not sent.
 */
public final class LoadMix
{
    private final EnumMap<Operation, Integer> weights;
    private final Operation[] byTicket;

    private LoadMix(final EnumMap<Operation, Integer> weights)
    {
        this.weights = weights;
        int total = 0;
        for (final int weight : weights.values())
        {
            total += weight;
        }
        byTicket = new Operation[total];
        int ticket = 0;
        for (final Map.Entry<Operation, Integer> entry : weights.entrySet())
        {
            for (int i = 0; i < entry.getValue(); i++)
            {
                byTicket[ticket++] = entry.getKey();
            }
        }
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code spec} and how it is written. */
    public static LoadMix parse(final String spec)
    {
        final EnumMap<Operation, Integer> weights = new EnumMap<>(Operation.class);
        final String how = "write it like put=90,get=10 with weights 0 to 1000 for put, get, delete and cas";
        for (final String part : spec.split(","))
        {
            final String[] pair = part.trim().split("=", -1);
            if (2 != pair.length)
            {
                throw new IllegalArgumentException("'" + part.trim() + "' is not OP=WEIGHT; " + how);
            }
            final Operation op;
            try
            {
                op = Operation.valueOf(pair[0].trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("'" + pair[0].trim() + "' is not an operation; " + how);
            }
            final int weight;
            try
            {
                weight = Integer.parseInt(pair[1].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("weight '" + pair[1].trim() + "' of " + pair[0].trim() +
                    " is not a whole number; " + how);
            }
            if (weight < 0 || weight > 1000)
            {
                throw new IllegalArgumentException("weight " + weight + " of " + pair[0].trim() + " is out of range; " +
                    how);
            }
            if (null != weights.put(op, weight))
            {
                throw new IllegalArgumentException(pair[0].trim() + " is named twice; " + how);
            }
        }
        weights.values().removeIf(weight -> 0 == weight);
        if (weights.isEmpty())
        {
            throw new IllegalArgumentException("no operation has a weight above 0; " + how);
        }
        return new LoadMix(weights);
    }

    public Operation pick(final SplittableRandom random)
    {
        return byTicket[random.nextInt(byTicket.length)];
    }

    public boolean includes(final Operation op)
    {
        return weights.containsKey(op);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        weights.forEach((op, weight) ->
            sb.append(sb.length() == 0 ? "" : ",").append(op.name().toLowerCase(Locale.ROOT)).append('=')
                .append(weight));
        return sb.toString();
    }
}
