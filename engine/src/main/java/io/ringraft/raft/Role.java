package io.ringraft.raft;

public enum Role
{
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER,
    LEARNER
}
