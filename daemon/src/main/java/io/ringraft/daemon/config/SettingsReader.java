package io.ringraft.daemon.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Typed reads of a {@link ConfigFile} that collect an error per bad setting instead of stopping at the first, so an
 * operator fixes a file in one round. Every message names the key, the value and what is allowed.
 */
final class SettingsReader
{
    private final ConfigFile file;
    private final List<String> errors = new ArrayList<>();

    SettingsReader(final ConfigFile file)
    {
        this.file = file;
        errors.addAll(file.syntaxErrors());
    }

    /** Reads {@code file} with {@code read}, then throws one error naming every bad setting, if any. */
    static <T> T load(final Path file, final Function<SettingsReader, T> read)
    {
        final SettingsReader reader = new SettingsReader(ConfigFile.read(file));
        final T config = read.apply(reader);
        reader.throwIfErrors();
        return config;
    }

    void error(final String key, final String value, final String rule)
    {
        final ConfigFile.Setting setting = file.get(key);
        final String where = null == setting ? file.source() : file.source() + ":" + setting.line();
        errors.add(where + ": " + key + " = '" + value + "': " + rule);
    }

    void missing(final String key, final String rule)
    {
        errors.add(file.source() + ": " + key + " is missing: " + rule);
    }

    /** @return null when absent (and {@code required} adds an error). */
    String string(final String key, final boolean required, final String rule)
    {
        final ConfigFile.Setting setting = file.get(key);
        if (null == setting || setting.value().isEmpty())
        {
            if (required)
            {
                missing(key, rule);
            }
            return null;
        }
        return setting.value();
    }

    /** @return the value, {@code defaultValue} when absent, or {@code defaultValue} after an error when bad. */
    int integer(final String key, final int defaultValue, final int min, final int max, final boolean required)
    {
        final String rule = "must be an integer between " + min + " and " + max;
        final String value = string(key, required, rule);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min || parsed > max)
            {
                error(key, value, rule);
                return defaultValue;
            }
            return (int)parsed;
        }
        catch (final NumberFormatException ex)
        {
            error(key, value, rule);
            return defaultValue;
        }
    }

    /**
     * A list {@code id=host:port, id=host:port, ...}: ids distinct integers >= 0, ports 1..65535, endpoints distinct.
     *
     * @return sorted by id; only the entries that parsed.
     */
    Map<Integer, String> endpoints(final String key)
    {
        final String rule = "must be a comma-separated list of id=host:port (id an integer >= 0, port 1..65535)";
        final Map<Integer, String> endpoints = new TreeMap<>();
        final String value = string(key, true, rule);
        if (null == value)
        {
            return endpoints;
        }
        final Map<String, Integer> seen = new TreeMap<>();
        for (final String raw : value.split(","))
        {
            final String item = raw.trim();
            final int equals = item.indexOf('=');
            if (equals <= 0)
            {
                error(key, value, "entry '" + item + "' is not id=host:port");
                continue;
            }
            final int id;
            try
            {
                id = Integer.parseInt(item.substring(0, equals).trim());
            }
            catch (final NumberFormatException ex)
            {
                error(key, value, "entry '" + item + "': member id is not an integer");
                continue;
            }
            if (id < 0)
            {
                error(key, value, "entry '" + item + "': member id must be >= 0");
                continue;
            }
            final String endpoint = item.substring(equals + 1).trim();
            final String problem = endpointProblem(endpoint);
            if (null != problem)
            {
                error(key, value, "entry '" + item + "': " + problem);
                continue;
            }
            if (endpoints.containsKey(id))
            {
                error(key, value, "member id " + id + " appears twice; member ids must be distinct");
                continue;
            }
            final Integer other = seen.put(endpoint, id);
            if (null != other)
            {
                error(key, value, "members " + other + " and " + id + " share endpoint " + endpoint +
                    "; endpoints must be distinct");
                continue;
            }
            endpoints.put(id, endpoint);
        }
        return endpoints;
    }

    /** @return null when {@code endpoint} is a usable host:port, else what is wrong with it. */
    static String endpointProblem(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            return "endpoint '" + endpoint + "' is not host:port";
        }
        try
        {
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (port < 1 || port > 65535)
            {
                return "port " + port + " is out of range 1..65535";
            }
        }
        catch (final NumberFormatException ex)
        {
            return "port '" + endpoint.substring(colon + 1) + "' is not a number";
        }
        return null;
    }

    /** Flags keys no reader knows: a typo must not silently leave a default in place. */
    void rejectUnknown(final Set<String> known)
    {
        for (final ConfigFile.Setting setting : file.settings().values())
        {
            if (!known.contains(setting.key()))
            {
                error(setting.key(), setting.value(), "unknown key; known keys: " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    boolean hasErrors()
    {
        return !errors.isEmpty();
    }

    void throwIfErrors()
    {
        if (!errors.isEmpty())
        {
            throw new ConfigException(file.source(), errors);
        }
    }
}
