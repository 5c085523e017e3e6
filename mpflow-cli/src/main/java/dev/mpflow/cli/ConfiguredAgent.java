package dev.mpflow.cli;

import dev.mpflow.Agent;
import dev.mpflow.AgentInput;
import dev.mpflow.CommandAgent;
import dev.mpflow.RetrySettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A command agent of a workflow file with retry settings of its own. The settings are read where jobs are
 * submitted, in this process, and never in a worker, so they do not travel with the agent: only the command does.
 */
final class ConfiguredAgent implements Agent {
    private static final long serialVersionUID = 1L;

    private final CommandAgent command;
    private final transient RetrySettings retry;

    ConfiguredAgent(CommandAgent command, RetrySettings retry) {
        this.command = Objects.requireNonNull(command, "command");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    @Override
    public String name() {
        return command.name();
    }

    @Override
    public Object run(AgentInput input) throws Exception {
        return command.run(input);
    }

    @Override
    public Optional<RetrySettings> retry() {
        return Optional.ofNullable(retry);
    }

    @Override
    public Optional<Duration> timeout() {
        return command.timeout();
    }

    @Override
    public String toString() {
        return command + (retry == null ? "" : " with " + retry);
    }
}
