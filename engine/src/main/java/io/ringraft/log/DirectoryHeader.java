package io.ringraft.log;

/**
 * What a group directory's header file says about its owner (SBE {@code DirectoryHeader}).
 *
 * @param clusterId        the cluster the directory belongs to.
 * @param memberId         the member the directory belongs to.
 * @param formatVersion    the on-disk format the files are written in.
 * @param createdTimestamp epoch millis when the directory was created.
 */
public record DirectoryHeader(int clusterId, int memberId, int formatVersion, long createdTimestamp)
{
}
