/*
 * ringraft
 */
package io.ringraft.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Signs and checks authenticated frames (docs/CLIENT-PROTOCOL.md, "Authenticated frames"): a frame is the SBE message
 * followed by a {@link #TRAILER_LENGTH}-byte trailer, HMAC-SHA-256 (RFC 2104) over the message bytes truncated to 16
 * bytes (RFC 2104 section 5; 128 bits, as NIST SP 800-107 allows for a MAC), keyed by a purpose key that
 * {@link ClusterSecret} derives from the cluster secret: peer and client frames use different keys, so a key for one
 * purpose cannot sign frames of the other.
 * <p>
 * HMAC is computed over a SHA-256 {@link MessageDigest} with the key's inner and outer pads precomputed, rather than
 * through {@code javax.crypto.Mac}, whose {@code doFinal} allocates a digest array on every call: the same function
 * (the tests check it against {@code Mac}), with no allocation per frame. The message is hashed through a reused
 * scratch array, so any {@link DirectBuffer} works (heap, direct, an Aeron term buffer); the copy costs a few percent
 * of the hash.
 * <p>
 * Not thread safe, by design: each thread or owner (a transport's sender, its receiver, a client's agent) takes its
 * own instance with {@link #newInstance()}; the key is shared, the digest state is not.
 */
public final class FrameAuthenticator
{
    /** Bytes the trailer adds to every frame. */
    public static final int TRAILER_LENGTH = 16;

    private static final int BLOCK_LENGTH = 64;
    private static final int DIGEST_LENGTH = 32;
    private static final int SCRATCH_LENGTH = 4096;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final byte[] innerPad;
    private final byte[] outerPad;
    private final String purpose;
    private final MessageDigest digest;
    private final byte[] scratch = new byte[SCRATCH_LENGTH];
    private final byte[] innerHash = new byte[DIGEST_LENGTH];
    private final byte[] mac = new byte[DIGEST_LENGTH];

    /**
     * @param key     the purpose key (32 bytes from {@link ClusterSecret}; any length works, as in HMAC).
     * @param purpose what the key is for, for messages and {@link #toString()} ("peer", "client"); never the key.
     */
    public FrameAuthenticator(final byte[] key, final String purpose)
    {
        this(pad(key, IPAD), pad(key, OPAD), purpose);
    }

    private FrameAuthenticator(final byte[] innerPad, final byte[] outerPad, final String purpose)
    {
        this.innerPad = innerPad;
        this.outerPad = outerPad;
        this.purpose = purpose;
        this.digest = sha256();
    }

    /** Another authenticator with the same key, for another thread or owner. */
    public FrameAuthenticator newInstance()
    {
        return new FrameAuthenticator(innerPad, outerPad, purpose);
    }

    /** What the key is for ("peer", "client"). */
    public String purpose()
    {
        return purpose;
    }

    /**
     * Writes the trailer right after the message.
     *
     * @param buffer        holding the message, with {@link #TRAILER_LENGTH} bytes of room after it.
     * @param offset        of the message (its SBE header).
     * @param messageLength of the message.
     * @return the frame length: {@code messageLength + TRAILER_LENGTH}.
     */
    public int sign(final MutableDirectBuffer buffer, final int offset, final int messageLength)
    {
        compute(buffer, offset, messageLength);
        buffer.putBytes(offset + messageLength, mac, 0, TRAILER_LENGTH);
        return messageLength + TRAILER_LENGTH;
    }

    /**
     * Checks the trailer of a frame, comparing in constant time (every trailer byte is compared whatever the first
     * difference, so the time says nothing about how much of a guess was right). Reads nothing but the bytes it
     * hashes: call it before reading any field.
     *
     * @param buffer      holding the frame.
     * @param offset      of the frame (the message's SBE header).
     * @param frameLength message plus trailer.
     * @return true if the trailer is the MAC of the message under this key; false for a wrong or missing trailer or
     * a frame too short to hold one, or a region outside the buffer.
     */
    public boolean verify(final DirectBuffer buffer, final int offset, final int frameLength)
    {
        if (frameLength <= TRAILER_LENGTH || offset < 0 || (long)offset + frameLength > buffer.capacity())
        {
            return false;
        }
        final int messageLength = frameLength - TRAILER_LENGTH;
        compute(buffer, offset, messageLength);
        return constantTimeEquals(mac, buffer, offset + messageLength, TRAILER_LENGTH);
    }

    /** The whole 32-byte HMAC of a region, in a new array: for deriving keys, not for frames. */
    byte[] fullMac(final DirectBuffer buffer, final int offset, final int length)
    {
        compute(buffer, offset, length);
        return mac.clone();
    }

    /** {@code length} bytes of {@code expected} against the buffer's, with no early exit. */
    static boolean constantTimeEquals(final byte[] expected, final DirectBuffer buffer, final int index, final int length)
    {
        int difference = 0;
        for (int i = 0; i < length; i++)
        {
            difference |= expected[i] ^ buffer.getByte(index + i);
        }
        return 0 == difference;
    }

    /** HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)), into {@link #mac}. */
    private void compute(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            digest.reset();
            digest.update(innerPad);
            for (int done = 0; done < length; )
            {
                final int chunk = Math.min(SCRATCH_LENGTH, length - done);
                buffer.getBytes(offset + done, scratch, 0, chunk);
                digest.update(scratch, 0, chunk);
                done += chunk;
            }
            digest.digest(innerHash, 0, DIGEST_LENGTH);
            digest.update(outerPad);
            digest.update(innerHash);
            digest.digest(mac, 0, DIGEST_LENGTH);
        }
        catch (final java.security.DigestException ex)
        {
            // Only for an output array shorter than the digest, which these are not.
            throw new IllegalStateException(ex);
        }
    }

    private static byte[] pad(final byte[] key, final byte pad)
    {
        if (null == key || 0 == key.length)
        {
            throw new IllegalArgumentException("an authentication key must not be empty");
        }
        final byte[] block = new byte[BLOCK_LENGTH];
        final byte[] k = key.length > BLOCK_LENGTH ? sha256().digest(key) : key;
        System.arraycopy(k, 0, block, 0, k.length);
        for (int i = 0; i < BLOCK_LENGTH; i++)
        {
            block[i] ^= pad;
        }
        if (k != key)
        {
            Arrays.fill(k, (byte)0);
        }
        return block;
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must have", ex);
        }
    }

    @Override
    public String toString()
    {
        return "FrameAuthenticator{" + purpose + " key, HMAC-SHA-256/128}";
    }
}
