package dev.mpflow.cli.workflow;

/** How a workflow's agents are applied to its tasks. */
public enum Mode {
    /** Each task goes through the agents in sequence, each agent receiving the previous one's output. */
    PIPELINE,
    /** Every agent runs every task, independently of the others. */
    FANOUT
}
