/*
 * ringraft
 */
package io.ringraft.codecs;

/**
 * Reason codes returned by {@link Frames#validate} and {@link Frames#validatePeer}.
 * <p>
 * Plain ints rather than an enum so the receive path can return, switch on and count them without touching the heap;
 * each code is also a natural index for a per-reason drop counter (0 .. {@link #MAX_CODE}).
 */
public final class FrameCheck
{
    /** The frame can be handed to the decoder of its template: nothing it reads lies outside the frame. */
    public static final int OK = 0;
    /** The buffer is null, or offset/length do not describe a region inside it. */
    public static final int OUTSIDE_BUFFER = 1;
    /** Longer than the maximum frame length the caller accepts. */
    public static final int FRAME_TOO_LONG = 2;
    /** Shorter than the SBE message header. */
    public static final int TRUNCATED_HEADER = 3;
    /** The header names another SBE schema. */
    public static final int WRONG_SCHEMA = 4;
    /** Written by a newer schema version than this build can read. */
    public static final int UNSUPPORTED_VERSION = 5;
    /** No message of this schema has the header's template id. */
    public static final int UNKNOWN_TEMPLATE = 6;
    /** The header's block length is less than the template needs at the header's version. */
    public static final int BLOCK_TOO_SHORT = 7;
    /** The root block runs past the end of the frame. */
    public static final int TRUNCATED_BLOCK = 8;
    /** A repeating group's dimension header runs past the end of the frame. */
    public static final int TRUNCATED_GROUP_HEADER = 9;
    /** A repeating group declares a block length less than its fields need. */
    public static final int GROUP_BLOCK_TOO_SHORT = 10;
    /** A repeating group's elements (numInGroup x blockLength) run past the end of the frame. */
    public static final int GROUP_OVERRUN = 11;
    /** A var-data length header runs past the end of the frame. */
    public static final int TRUNCATED_VAR_DATA_HEADER = 12;
    /** A var-data field declares more bytes than remain in the frame. */
    public static final int VAR_DATA_OVERRUN = 13;
    /** An enum (or boolean) field holds a value the schema does not define; its decoder would throw. */
    public static final int INVALID_ENUM = 14;
    /** The message ends before the frame does: garbage or a framing error upstream. */
    public static final int TRAILING_BYTES = 15;
    /** {@link Frames#validatePeer}: a valid message, but not one of the peer (Raft) templates. */
    public static final int NOT_PEER_MESSAGE = 16;
    /** {@link Frames#validatePeer}: a peer message from another cluster. */
    public static final int WRONG_CLUSTER = 17;

    /** Highest code in use: size per-reason counter arrays with {@code MAX_CODE + 1}. */
    public static final int MAX_CODE = WRONG_CLUSTER;

    private FrameCheck()
    {
    }

    /**
     * @param code returned by {@link Frames}.
     * @return a short human description, for logs and tools; constant strings, so no allocation.
     */
    public static String describe(final int code)
    {
        switch (code)
        {
            case OK: return "ok";
            case OUTSIDE_BUFFER: return "offset/length outside the buffer";
            case FRAME_TOO_LONG: return "frame longer than the accepted maximum";
            case TRUNCATED_HEADER: return "shorter than the message header";
            case WRONG_SCHEMA: return "wrong schema id";
            case UNSUPPORTED_VERSION: return "schema version newer than this build";
            case UNKNOWN_TEMPLATE: return "unknown template id";
            case BLOCK_TOO_SHORT: return "block length shorter than the template needs";
            case TRUNCATED_BLOCK: return "root block runs past the frame";
            case TRUNCATED_GROUP_HEADER: return "group header runs past the frame";
            case GROUP_BLOCK_TOO_SHORT: return "group block length shorter than its fields need";
            case GROUP_OVERRUN: return "group elements run past the frame";
            case TRUNCATED_VAR_DATA_HEADER: return "var-data length runs past the frame";
            case VAR_DATA_OVERRUN: return "var-data runs past the frame";
            case INVALID_ENUM: return "enum field holds an undefined value";
            case TRAILING_BYTES: return "bytes after the end of the message";
            case NOT_PEER_MESSAGE: return "not a peer message";
            case WRONG_CLUSTER: return "peer message from another cluster";
            default: return "unknown reason code";
        }
    }
}
