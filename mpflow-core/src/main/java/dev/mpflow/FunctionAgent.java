package dev.mpflow;

import java.util.Objects;

/** An {@link Agent} backed by a serializable Java function. Immutable. */
public final class FunctionAgent implements Agent {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final AgentFunction function;

    public FunctionAgent(String name, AgentFunction function) {
        this.name = requireName(name);
        this.function = Objects.requireNonNull(function, "function");
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
