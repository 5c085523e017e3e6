package dev.mpflow.cli.workflow;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Expands the variables of a workflow file's string values: {@code ${java.home}}, {@code ${user.home}},
 * {@code ${user.dir}} (system properties of the running JVM) and {@code ${env.NAME}} (an environment variable).
 * <code>$${</code> writes a literal <code>${</code>; anything else, including the {@code {}} placeholder, is left
 * as written.
 *
 * <p>It remembers every value it took from the environment: those are secrets, masked in everything mpflow writes.
 * Not thread-safe: one interpolator reads one file.
 */
final class Interpolator {
    private static final String KNOWN = "${java.home}, ${user.home}, ${user.dir} or ${env.NAME}";

    private final UnaryOperator<String> environment;
    private final UnaryOperator<String> properties;
    private final Set<String> environmentValues = new LinkedHashSet<>();

    Interpolator(UnaryOperator<String> environment, UnaryOperator<String> properties) {
        this.environment = environment;
        this.properties = properties;
    }

    /** Every value expanded from an environment variable so far, in the order first met. */
    Set<String> environmentValues() {
        return Collections.unmodifiableSet(environmentValues);
    }

    /** Expands from this process's environment and system properties. */
    static Interpolator system() {
        return new Interpolator(System::getenv, System::getProperty);
    }

    /**
     * Returns {@code text} with its variables replaced by their values.
     *
     * @throws IllegalArgumentException naming the variable, when one is unknown or unset, or a <code>${</code> is
     *                                  not closed
     */
    String expand(String text) {
        if (!text.contains("${")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("'${' without a closing '}' in \"" + text
                            + "\" (write $${ for a literal ${)");
                }
                out.append(lookup(text.substring(i + 2, end)));
                i = end + 1;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    private String lookup(String variable) {
        if (variable.startsWith("env.") && variable.length() > "env.".length()) {
            String name = variable.substring("env.".length());
            String value = environment.apply(name);
            if (value == null) {
                throw new IllegalArgumentException("environment variable " + name + " is not set");
            }
            environmentValues.add(value);
            return value;
        }
        if (variable.equals("java.home") || variable.equals("user.home") || variable.equals("user.dir")) {
            String value = properties.apply(variable);
            if (value == null) {
                throw new IllegalArgumentException("system property " + variable + " is not set");
            }
            return value;
        }
        throw new IllegalArgumentException("unknown variable ${" + variable + "}; use " + KNOWN
                + " (write $${ for a literal ${)");
    }
}
