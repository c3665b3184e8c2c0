package io.ringraft.statemachine;

/** Creates the state machine of one Raft group when a node starts. */
@FunctionalInterface
public interface StateMachineFactory
{
    StateMachine create(int groupId);
}
