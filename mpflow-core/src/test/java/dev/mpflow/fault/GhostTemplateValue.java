package dev.mpflow.fault;

import java.io.Serializable;

/**
 * The template from which {@link FaultyTasks#returnWorkerOnlyValue} makes, inside a worker, a serializable value
 * class that exists nowhere else. Never returned as itself.
 */
public class GhostTemplateValue implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String text;

    public GhostTemplateValue(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}
