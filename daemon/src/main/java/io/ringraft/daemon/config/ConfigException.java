package io.ringraft.daemon.config;

import java.util.List;

/** A config file with one or more bad settings; the message lists every one, each naming key, value and rule. */
public final class ConfigException extends IllegalArgumentException
{
    private final List<String> errors;

    public ConfigException(final String source, final List<String> errors)
    {
        super("invalid config " + source + ":\n  " + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors()
    {
        return errors;
    }
}
