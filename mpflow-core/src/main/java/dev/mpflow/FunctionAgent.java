package dev.mpflow;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** An {@link Agent} backed by a serializable Java function. Immutable. */
public final class FunctionAgent implements Agent {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final AgentFunction function;
    private final RetrySettings retry;
    private final Duration timeout;

    public FunctionAgent(String name, AgentFunction function) {
        this(name, function, null, null);
    }

    private FunctionAgent(String name, AgentFunction function, RetrySettings retry, Duration timeout) {
        this.name = requireName(name);
        this.function = Objects.requireNonNull(function, "function");
        this.retry = retry;
        this.timeout = timeout;
    }

    /** This agent with its own retry settings. */
    public FunctionAgent withRetry(RetrySettings retry) {
        return new FunctionAgent(name, function, Objects.requireNonNull(retry, "retry"), timeout);
    }

    /** This agent with its own per-attempt timeout. */
    public FunctionAgent withTimeout(Duration timeout) {
        return new FunctionAgent(name, function, retry, RetrySettings.requirePositive("timeout", timeout));
    }

    @Override
    public Optional<RetrySettings> retry() {
        return Optional.ofNullable(retry);
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Object run(AgentInput input) throws Exception {
        return function.apply(input);
    }

    @Override
    public String toString() {
        return "FunctionAgent[" + name + "]";
    }

    static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("agent name must not be blank");
        }
        return name;
    }
}
