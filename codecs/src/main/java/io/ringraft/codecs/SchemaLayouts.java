/*
 * ringraft
 */
package io.ringraft.codecs;

import io.ringraft.codecs.sbe.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@link FrameLayout} of every message in ringraft-schema.xml, declared from the generated codecs' constants so a
 * change to the schema changes the numbers here at the next build. A new message, group, var-data or enum field must
 * be added here too; {@code SchemaLayoutsTest} compares this table with the schema's IR and fails until it is.
 */
public final class SchemaLayouts
{
    /** Peer (Raft) messages use template ids 1..19 and lead with a PeerHeader. */
    public static final int FIRST_PEER_TEMPLATE_ID = 1;
    public static final int LAST_PEER_TEMPLATE_ID = 19;

    private static final long[] BOOLEAN = FrameLayout.validValues(
        BooleanType.values(), BooleanType::value, BooleanType.NULL_VAL);
    private static final long[] ENTRY_TYPE = FrameLayout.validValues(
        EntryType.values(), EntryType::value, EntryType.NULL_VAL);
    private static final long[] CONF_CHANGE_TYPE = FrameLayout.validValues(
        ConfChangeType.values(), ConfChangeType::value, ConfChangeType.NULL_VAL);
    private static final long[] CONF_CHANGE_TRANSITION = FrameLayout.validValues(
        ConfChangeTransition.values(), ConfChangeTransition::value, ConfChangeTransition.NULL_VAL);
    private static final long[] RESPONSE_STATUS = FrameLayout.validValues(
        ResponseStatus.values(), ResponseStatus::value, ResponseStatus.NULL_VAL);
    private static final long[] SESSION_EVENT_CODE = FrameLayout.validValues(
        SessionEventCode.values(), SessionEventCode::value, SessionEventCode.NULL_VAL);
    private static final long[] ADMIN_ACTION = FrameLayout.validValues(
        AdminAction.values(), AdminAction::value, AdminAction.NULL_VAL);
    private static final long[] REQUEST_KIND = FrameLayout.validValues(
        RequestKind.values(), RequestKind::value, RequestKind.NULL_VAL);
    private static final long[] MEMBER_ROLE = FrameLayout.validValues(
        MemberRole.values(), MemberRole::value, MemberRole.NULL_VAL);

    private static final FrameLayout[] BY_TEMPLATE_ID;
    private static final List<FrameLayout> ALL;

    static
    {
        final List<FrameLayout> layouts = new ArrayList<>();

        // ---- peer messages
        layouts.add(FrameLayout.message("RequestVote", RequestVoteDecoder.TEMPLATE_ID, RequestVoteDecoder.BLOCK_LENGTH)
            .peerHeaderAt(RequestVoteDecoder.headerEncodingOffset())
            .enumField(RequestVoteDecoder.preVoteSinceVersion(), RequestVoteDecoder.preVoteEncodingOffset(), BOOLEAN)
            .enumField(
                RequestVoteDecoder.leadershipTransferSinceVersion(),
                RequestVoteDecoder.leadershipTransferEncodingOffset(),
                BOOLEAN)
            .fieldsAddedIn(RequestVoteDecoder.commitSinceVersion(), RequestVoteDecoder.commitEncodingOffset())
            .build());

        layouts.add(FrameLayout.message("VoteResponse", VoteResponseDecoder.TEMPLATE_ID, VoteResponseDecoder.BLOCK_LENGTH)
            .peerHeaderAt(VoteResponseDecoder.headerEncodingOffset())
            .enumField(VoteResponseDecoder.grantedSinceVersion(), VoteResponseDecoder.grantedEncodingOffset(), BOOLEAN)
            .enumField(VoteResponseDecoder.preVoteSinceVersion(), VoteResponseDecoder.preVoteEncodingOffset(), BOOLEAN)
            .fieldsAddedIn(VoteResponseDecoder.commitSinceVersion(), VoteResponseDecoder.commitEncodingOffset())
            .build());

        layouts.add(FrameLayout.message(
            "AppendEntries", AppendEntriesDecoder.TEMPLATE_ID, AppendEntriesDecoder.BLOCK_LENGTH)
            .peerHeaderAt(AppendEntriesDecoder.headerEncodingOffset())
            .beginGroup(AppendEntriesDecoder.entriesDecoderSinceVersion(),
                AppendEntriesDecoder.EntriesDecoder.sbeBlockLength())
            .enumField(
                AppendEntriesDecoder.EntriesDecoder.entryTypeSinceVersion(),
                AppendEntriesDecoder.EntriesDecoder.entryTypeEncodingOffset(),
                ENTRY_TYPE)
            .varData(
                AppendEntriesDecoder.EntriesDecoder.payloadSinceVersion(),
                AppendEntriesDecoder.EntriesDecoder.payloadHeaderLength())
            .endGroup()
            .build());

        layouts.add(FrameLayout.message(
            "AppendResponse", AppendResponseDecoder.TEMPLATE_ID, AppendResponseDecoder.BLOCK_LENGTH)
            .peerHeaderAt(AppendResponseDecoder.headerEncodingOffset())
            .enumField(AppendResponseDecoder.rejectSinceVersion(), AppendResponseDecoder.rejectEncodingOffset(), BOOLEAN)
            .build());

        layouts.add(FrameLayout.message("Heartbeat", HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH)
            .peerHeaderAt(HeartbeatDecoder.headerEncodingOffset())
            .build());

        layouts.add(FrameLayout.message(
            "HeartbeatResponse", HeartbeatResponseDecoder.TEMPLATE_ID, HeartbeatResponseDecoder.BLOCK_LENGTH)
            .peerHeaderAt(HeartbeatResponseDecoder.headerEncodingOffset())
            .build());

        layouts.add(FrameLayout.message(
            "InstallSnapshot", InstallSnapshotDecoder.TEMPLATE_ID, InstallSnapshotDecoder.BLOCK_LENGTH)
            .peerHeaderAt(InstallSnapshotDecoder.headerEncodingOffset())
            .enumField(InstallSnapshotDecoder.doneSinceVersion(), InstallSnapshotDecoder.doneEncodingOffset(), BOOLEAN)
            .varData(InstallSnapshotDecoder.membershipSinceVersion(), InstallSnapshotDecoder.membershipHeaderLength())
            .varData(InstallSnapshotDecoder.chunkSinceVersion(), InstallSnapshotDecoder.chunkHeaderLength())
            .build());

        layouts.add(FrameLayout.message(
            "InstallSnapshotResponse",
            InstallSnapshotResponseDecoder.TEMPLATE_ID,
            InstallSnapshotResponseDecoder.BLOCK_LENGTH)
            .peerHeaderAt(InstallSnapshotResponseDecoder.headerEncodingOffset())
            .enumField(
                InstallSnapshotResponseDecoder.rejectSinceVersion(),
                InstallSnapshotResponseDecoder.rejectEncodingOffset(),
                BOOLEAN)
            .enumField(
                InstallSnapshotResponseDecoder.doneSinceVersion(),
                InstallSnapshotResponseDecoder.doneEncodingOffset(),
                BOOLEAN)
            .build());

        layouts.add(FrameLayout.message("TimeoutNow", TimeoutNowDecoder.TEMPLATE_ID, TimeoutNowDecoder.BLOCK_LENGTH)
            .peerHeaderAt(TimeoutNowDecoder.headerEncodingOffset())
            .build());

        layouts.add(FrameLayout.message(
            "ReadIndexRequest", ReadIndexRequestDecoder.TEMPLATE_ID, ReadIndexRequestDecoder.BLOCK_LENGTH)
            .peerHeaderAt(ReadIndexRequestDecoder.headerEncodingOffset())
            .build());

        layouts.add(FrameLayout.message(
            "ReadIndexResponse", ReadIndexResponseDecoder.TEMPLATE_ID, ReadIndexResponseDecoder.BLOCK_LENGTH)
            .peerHeaderAt(ReadIndexResponseDecoder.headerEncodingOffset())
            .build());

        // ---- log and state records
        layouts.add(FrameLayout.message("LogEntry", LogEntryDecoder.TEMPLATE_ID, LogEntryDecoder.BLOCK_LENGTH)
            .enumField(LogEntryDecoder.entryTypeSinceVersion(), LogEntryDecoder.entryTypeEncodingOffset(), ENTRY_TYPE)
            .varData(LogEntryDecoder.payloadSinceVersion(), LogEntryDecoder.payloadHeaderLength())
            .build());

        layouts.add(FrameLayout.message("HardState", HardStateDecoder.TEMPLATE_ID, HardStateDecoder.BLOCK_LENGTH)
            .build());

        layouts.add(FrameLayout.message("Membership", MembershipDecoder.TEMPLATE_ID, MembershipDecoder.BLOCK_LENGTH)
            .enumField(MembershipDecoder.autoLeaveSinceVersion(), MembershipDecoder.autoLeaveEncodingOffset(), BOOLEAN)
            .beginGroup(MembershipDecoder.votersDecoderSinceVersion(), MembershipDecoder.VotersDecoder.sbeBlockLength())
            .endGroup()
            .beginGroup(
                MembershipDecoder.outgoingVotersDecoderSinceVersion(),
                MembershipDecoder.OutgoingVotersDecoder.sbeBlockLength())
            .endGroup()
            .beginGroup(
                MembershipDecoder.learnersDecoderSinceVersion(), MembershipDecoder.LearnersDecoder.sbeBlockLength())
            .endGroup()
            .beginGroup(
                MembershipDecoder.learnersNextDecoderSinceVersion(),
                MembershipDecoder.LearnersNextDecoder.sbeBlockLength())
            .endGroup()
            .beginGroup(
                MembershipDecoder.endpointsDecoderSinceVersion(), MembershipDecoder.EndpointsDecoder.sbeBlockLength())
            .varData(
                MembershipDecoder.EndpointsDecoder.endpointSinceVersion(),
                MembershipDecoder.EndpointsDecoder.endpointHeaderLength())
            .endGroup()
            .build());

        layouts.add(FrameLayout.message(
            "SnapshotMetadata", SnapshotMetadataDecoder.TEMPLATE_ID, SnapshotMetadataDecoder.BLOCK_LENGTH)
            .varData(SnapshotMetadataDecoder.membershipSinceVersion(), SnapshotMetadataDecoder.membershipHeaderLength())
            .build());

        layouts.add(FrameLayout.message("ConfChange", ConfChangeDecoder.TEMPLATE_ID, ConfChangeDecoder.BLOCK_LENGTH)
            .enumField(
                ConfChangeDecoder.transitionSinceVersion(),
                ConfChangeDecoder.transitionEncodingOffset(),
                CONF_CHANGE_TRANSITION)
            .beginGroup(ConfChangeDecoder.changesDecoderSinceVersion(), ConfChangeDecoder.ChangesDecoder.sbeBlockLength())
            .enumField(
                ConfChangeDecoder.ChangesDecoder.changeTypeSinceVersion(),
                ConfChangeDecoder.ChangesDecoder.changeTypeEncodingOffset(),
                CONF_CHANGE_TYPE)
            .varData(
                ConfChangeDecoder.ChangesDecoder.endpointSinceVersion(),
                ConfChangeDecoder.ChangesDecoder.endpointHeaderLength())
            .endGroup()
            .build());

        layouts.add(FrameLayout.message(
            "DirectoryHeader", DirectoryHeaderDecoder.TEMPLATE_ID, DirectoryHeaderDecoder.BLOCK_LENGTH)
            .build());

        layouts.add(FrameLayout.message(
            "SegmentHeader", SegmentHeaderDecoder.TEMPLATE_ID, SegmentHeaderDecoder.BLOCK_LENGTH)
            .build());

        // ---- log payloads of the session layer
        layouts.add(FrameLayout.message("SessionOpen", SessionOpenDecoder.TEMPLATE_ID, SessionOpenDecoder.BLOCK_LENGTH)
            .build());

        layouts.add(FrameLayout.message(
            "SessionCommand", SessionCommandDecoder.TEMPLATE_ID, SessionCommandDecoder.BLOCK_LENGTH)
            .varData(SessionCommandDecoder.commandSinceVersion(), SessionCommandDecoder.commandHeaderLength())
            .build());

        layouts.add(FrameLayout.message("SessionClose", SessionCloseDecoder.TEMPLATE_ID, SessionCloseDecoder.BLOCK_LENGTH)
            .build());

        // ---- client protocol
        layouts.add(FrameLayout.message("Connect", ConnectDecoder.TEMPLATE_ID, ConnectDecoder.BLOCK_LENGTH)
            .varData(ConnectDecoder.responseChannelSinceVersion(), ConnectDecoder.responseChannelHeaderLength())
            .build());

        layouts.add(FrameLayout.message("SessionEvent", SessionEventDecoder.TEMPLATE_ID, SessionEventDecoder.BLOCK_LENGTH)
            .enumField(SessionEventDecoder.codeSinceVersion(), SessionEventDecoder.codeEncodingOffset(), SESSION_EVENT_CODE)
            .varData(SessionEventDecoder.detailSinceVersion(), SessionEventDecoder.detailHeaderLength())
            .build());

        layouts.add(FrameLayout.message("AdminRequest", AdminRequestDecoder.TEMPLATE_ID, AdminRequestDecoder.BLOCK_LENGTH)
            .enumField(AdminRequestDecoder.actionSinceVersion(), AdminRequestDecoder.actionEncodingOffset(), ADMIN_ACTION)
            .varData(AdminRequestDecoder.endpointSinceVersion(), AdminRequestDecoder.endpointHeaderLength())
            .build());

        layouts.add(FrameLayout.message(
            "AdminResponse", AdminResponseDecoder.TEMPLATE_ID, AdminResponseDecoder.BLOCK_LENGTH)
            .enumField(
                AdminResponseDecoder.statusSinceVersion(), AdminResponseDecoder.statusEncodingOffset(), RESPONSE_STATUS)
            .fieldsAddedIn(
                AdminResponseDecoder.respondingMemberSinceVersion(), AdminResponseDecoder.respondingMemberEncodingOffset())
            .beginGroup(
                AdminResponseDecoder.membersDecoderSinceVersion(), AdminResponseDecoder.MembersDecoder.sbeBlockLength())
            .enumField(
                AdminResponseDecoder.MembersDecoder.roleSinceVersion(),
                AdminResponseDecoder.MembersDecoder.roleEncodingOffset(),
                MEMBER_ROLE)
            .varData(
                AdminResponseDecoder.MembersDecoder.endpointSinceVersion(),
                AdminResponseDecoder.MembersDecoder.endpointHeaderLength())
            .endGroup()
            .beginGroup(
                AdminResponseDecoder.groupsDecoderSinceVersion(), AdminResponseDecoder.GroupsDecoder.sbeBlockLength())
            .enumField(
                AdminResponseDecoder.GroupsDecoder.roleSinceVersion(),
                AdminResponseDecoder.GroupsDecoder.roleEncodingOffset(),
                MEMBER_ROLE)
            .endGroup()
            .varData(AdminResponseDecoder.errorMessageSinceVersion(), AdminResponseDecoder.errorMessageHeaderLength())
            .build());

        layouts.add(FrameLayout.message("CloseSession", CloseSessionDecoder.TEMPLATE_ID, CloseSessionDecoder.BLOCK_LENGTH)
            .build());

        layouts.add(FrameLayout.message("RequestBatch", RequestBatchDecoder.TEMPLATE_ID, RequestBatchDecoder.BLOCK_LENGTH)
            .beginGroup(
                RequestBatchDecoder.requestsDecoderSinceVersion(), RequestBatchDecoder.RequestsDecoder.sbeBlockLength())
            .enumField(
                RequestBatchDecoder.RequestsDecoder.kindSinceVersion(),
                RequestBatchDecoder.RequestsDecoder.kindEncodingOffset(),
                REQUEST_KIND)
            .varData(
                RequestBatchDecoder.RequestsDecoder.payloadSinceVersion(),
                RequestBatchDecoder.RequestsDecoder.payloadHeaderLength())
            .endGroup()
            .build());

        layouts.add(FrameLayout.message(
            "ResponseBatch", ResponseBatchDecoder.TEMPLATE_ID, ResponseBatchDecoder.BLOCK_LENGTH)
            .beginGroup(
                ResponseBatchDecoder.responsesDecoderSinceVersion(), ResponseBatchDecoder.ResponsesDecoder.sbeBlockLength())
            .enumField(
                ResponseBatchDecoder.ResponsesDecoder.statusSinceVersion(),
                ResponseBatchDecoder.ResponsesDecoder.statusEncodingOffset(),
                RESPONSE_STATUS)
            .varData(
                ResponseBatchDecoder.ResponsesDecoder.resultSinceVersion(),
                ResponseBatchDecoder.ResponsesDecoder.resultHeaderLength())
            .endGroup()
            .build());

        int maxTemplateId = 0;
        for (final FrameLayout layout : layouts)
        {
            maxTemplateId = Math.max(maxTemplateId, layout.templateId());
        }

        final FrameLayout[] byTemplateId = new FrameLayout[maxTemplateId + 1];
        for (final FrameLayout layout : layouts)
        {
            final int templateId = layout.templateId();
            if (null != byTemplateId[templateId])
            {
                throw new IllegalStateException("template id " + templateId + " declared twice");
            }
            final boolean peerRange = templateId >= FIRST_PEER_TEMPLATE_ID && templateId <= LAST_PEER_TEMPLATE_ID;
            if (peerRange != (layout.peerHeaderOffset() >= 0))
            {
                throw new IllegalStateException(layout.name() + ": peer ids 1..19 and a PeerHeader go together");
            }
            byTemplateId[templateId] = layout;
        }

        BY_TEMPLATE_ID = byTemplateId;
        ALL = Collections.unmodifiableList(layouts);
    }

    private SchemaLayouts()
    {
    }

    /**
     * @param templateId from a message header (uint16).
     * @return its layout, or null if the schema has no such message.
     */
    public static FrameLayout forTemplate(final int templateId)
    {
        return templateId >= 0 && templateId < BY_TEMPLATE_ID.length ? BY_TEMPLATE_ID[templateId] : null;
    }

    /**
     * @return every message of the schema, in schema order.
     */
    public static List<FrameLayout> all()
    {
        return ALL;
    }
}
