package io.ringraft.daemon.config;

import io.ringraft.codecs.ClusterSecret;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The keys that say how frames are authenticated (docs/CLIENT-PROTOCOL.md, "Authenticated frames"):
 * <pre>
 * secret.file = /etc/ringraft/cluster.key     (the cluster's secret, made by: ringraft secret new FILE; mode 0600)
 * security    = insecure                      (instead: no signing, no checks; the member logs a warning at start)
 * </pre>
 * A member needs exactly one of the two: a cluster without authentication is an explicit choice, never a default.
 * The key file is read and checked here (format, and that only its owner can read it), so a bad one is a config
 * error naming the key like any other.
 */
public final class SecurityConfig
{
    public static final String SECRET_FILE = "secret.file";
    public static final String SECURITY = "security";
    public static final String INSECURE = "insecure";
    static final Set<String> KEYS = Set.of(SECRET_FILE, SECURITY);

    private SecurityConfig()
    {
    }

    /**
     * @param required true for a member: one of the keys must be set. A client without either has no key.
     * @return the secret, or null for {@code security = insecure} (or, when not required, neither key).
     */
    static ClusterSecret read(final SettingsReader reader, final boolean required)
    {
        final String file = reader.string(SECRET_FILE, false, "");
        final String security = reader.string(SECURITY, false, "");
        if (null != security && !INSECURE.equals(security.toLowerCase(Locale.ROOT)))
        {
            reader.error(SECURITY, security, "must be '" + INSECURE + "' (or leave it out and set " + SECRET_FILE + ")");
            return null;
        }
        if (null != file && null != security)
        {
            reader.error(SECURITY, security, "and " + SECRET_FILE + " are both set: choose one");
            return null;
        }
        if (null == file)
        {
            if (null == security && required)
            {
                reader.missing(SECRET_FILE, "name the cluster's key file (make one with: ringraft secret new FILE), " +
                    "or set " + SECURITY + " = " + INSECURE + " to run without authentication");
            }
            return null;
        }
        try
        {
            return ClusterSecret.load(Path.of(file));
        }
        catch (final IllegalArgumentException ex)
        {
            reader.error(SECRET_FILE, file, ex.getMessage());
            return null;
        }
    }
}
