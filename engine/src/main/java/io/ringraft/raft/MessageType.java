package io.ringraft.raft;

/**
 * The peer messages of the Raft protocol. Each maps one to one onto an SBE template of the schema
 * ({@link #templateId()}), so the wire codec never needs a table.
 */
public enum MessageType
{
    VOTE_REQUEST(1),
    VOTE_RESPONSE(2),
    APPEND(3),
    APPEND_RESPONSE(4),
    HEARTBEAT(5),
    HEARTBEAT_RESPONSE(6),
    SNAPSHOT(7),
    SNAPSHOT_RESPONSE(8),
    TIMEOUT_NOW(9),
    READ_INDEX(10),
    READ_INDEX_RESPONSE(11);

    private static final MessageType[] BY_TEMPLATE_ID = new MessageType[12];

    static
    {
        for (final MessageType type : values())
        {
            BY_TEMPLATE_ID[type.templateId] = type;
        }
    }

    private final int templateId;

    MessageType(final int templateId)
    {
        this.templateId = templateId;
    }

    public int templateId()
    {
        return templateId;
    }

    /** @return the type for an SBE template id, or null when the id is not a peer message. */
    public static MessageType fromTemplateId(final int templateId)
    {
        return templateId > 0 && templateId < BY_TEMPLATE_ID.length ? BY_TEMPLATE_ID[templateId] : null;
    }
}
