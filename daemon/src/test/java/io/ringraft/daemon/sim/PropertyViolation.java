package io.ringraft.daemon.sim;

/** A property the simulation checks does not hold; the message says where and how. */
public final class PropertyViolation extends RuntimeException
{
    private final Property property;

    public PropertyViolation(final Property property, final String message)
    {
        super(property + ": " + message);
        this.property = property;
    }

    public Property property()
    {
        return property;
    }
}
