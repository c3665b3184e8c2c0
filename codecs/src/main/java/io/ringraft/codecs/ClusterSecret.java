/*
 * ringraft
 */
package io.ringraft.codecs;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * A cluster's secret: {@link #LENGTH} random bytes that every member holds, in a key file of one line of hex, readable
 * by its owner only (like an ssh private key, a file readable by group or others is refused). From it come the
 * {@link FrameAuthenticator} keys of each purpose: {@link #peerAuthenticator()} for Raft frames between members,
 * {@link #clientAuthenticator()} for client frames. A purpose key is HMAC-SHA-256(secret, label), as in HKDF-Expand
 * (RFC 5869) with a one-block output, so knowing one purpose key tells nothing of the other or of the secret.
 * <p>
 * Here, in codecs, because every module that signs or checks frames (the transport, the daemon's client endpoint,
 * the client) depends on codecs and on nothing else in common. The secret's bytes never leave this class:
 * {@link #toString()} names only where it came from.
 */
public final class ClusterSecret
{
    /** Bytes of a secret: 256 bits, the HMAC-SHA-256 key length. */
    public static final int LENGTH = 32;

    private static final byte[] PEER_LABEL = "ringraft v1 peer frames".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLIENT_LABEL = "ringraft v1 client frames".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] secret;
    private final String origin;

    private ClusterSecret(final byte[] secret, final String origin)
    {
        this.secret = secret;
        this.origin = origin;
    }

    /** A new random secret (SecureRandom). */
    public static ClusterSecret generate()
    {
        final byte[] bytes = new byte[LENGTH];
        new SecureRandom().nextBytes(bytes);
        return new ClusterSecret(bytes, "generated");
    }

    /**
     * Reads a key file: one line of {@code 2 * LENGTH} hex digits, readable by its owner only.
     *
     * @throws IllegalArgumentException with a one-line message naming the file, what is wrong and what to do.
     */
    public static ClusterSecret load(final Path file)
    {
        return new ClusterSecret(readKey(file), file.toString());
    }

    /**
     * Reads a client key file ({@link #writeClientKey}): the key of client frames alone, for a client host that must
     * not hold the cluster secret (from which the peer key follows).
     *
     * @throws IllegalArgumentException with a one-line message naming the file, what is wrong and what to do.
     */
    public static FrameAuthenticator loadClientKey(final Path file)
    {
        return new FrameAuthenticator(readKey(file), "client");
    }

    private static byte[] readKey(final Path file)
    {
        final String text;
        try
        {
            refuseIfShared(file);
            text = Files.readString(file, StandardCharsets.US_ASCII);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException(
                "key file " + file + " does not exist; make one with: ringraft secret new " + file);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + ex);
        }
        final String hex = text.strip();
        if (hex.length() != 2 * LENGTH || hex.contains("\n") || !hex.matches("[0-9a-fA-F]+"))
        {
            throw new IllegalArgumentException("key file " + file + " must hold one line of " + 2 * LENGTH +
                " hex digits (" + LENGTH + " bytes); make one with: ringraft secret new FILE");
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * Writes this secret to a new key file, created readable and writable by its owner only (0600).
     *
     * @throws IllegalArgumentException with a one-line message if the file exists (it is never overwritten) or
     *                                  cannot be written.
     */
    public void writeNew(final Path file)
    {
        writeKey(secret, file, "(a cluster's members must share one secret)");
    }

    /**
     * Writes the client key alone to a new key file (0600), for {@link #loadClientKey}: it signs client frames and
     * nothing else, and neither the secret nor the peer key can be computed from it.
     */
    public void writeClientKey(final Path file)
    {
        writeKey(derive(CLIENT_LABEL), file, "");
    }

    private static void writeKey(final byte[] key, final Path file, final String why)
    {
        try
        {
            // Created with its final mode, so the key is never readable by others, not even for a moment.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IllegalArgumentException("key file " + file + " already exists; not overwritten" +
                (why.isEmpty() ? "" : " " + why));
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new IllegalArgumentException("cannot write key file " + file + ": " + ex);
        }
        try
        {
            Files.writeString(file, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot write key file " + file + ": " + ex);
        }
    }

    private static void refuseIfShared(final Path file) throws IOException
    {
        final Set<PosixFilePermission> permissions;
        try
        {
            permissions = Files.getPosixFilePermissions(file);
        }
        catch (final UnsupportedOperationException ex)
        {
            return; // not a POSIX file system: nothing to check
        }
        for (final PosixFilePermission permission : permissions)
        {
            if (!permission.name().startsWith("OWNER_"))
            {
                throw new IllegalArgumentException("key file " + file + " is accessible by group or others (" +
                    PosixFilePermissions.toString(permissions) + "); run: chmod 600 " + file);
            }
        }
    }

    /** The authenticator of frames between members (every peer frame). */
    public FrameAuthenticator peerAuthenticator()
    {
        return new FrameAuthenticator(derive(PEER_LABEL), "peer");
    }

    /** The authenticator of frames between clients and members. */
    public FrameAuthenticator clientAuthenticator()
    {
        return new FrameAuthenticator(derive(CLIENT_LABEL), "client");
    }

    private byte[] derive(final byte[] label)
    {
        final byte[] info = Arrays.copyOf(label, label.length + 1);
        info[label.length] = 1; // HKDF-Expand's block counter
        return new FrameAuthenticator(secret, "derivation").fullMac(new UnsafeBuffer(info), 0, info.length);
    }

    @Override
    public String toString()
    {
        return "ClusterSecret{" + origin + "}";
    }
}
