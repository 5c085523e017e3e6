package dev.mpflow.cli.workflow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML value together with the line it starts on, so that every problem can be reported where it is. */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    /** The line the value starts on, counting from 1. */
    int line();

    /** How the value reads in a message: {@code "five"}, {@code 0}, {@code empty}, {@code a list}. */
    String describe();

    /** A field of a mapping: its key, the line of the key, and its value. */
    record Member(String key, int keyLine, YamlNode value) {
    }

    /** A mapping, its fields in the order written. */
    record Mapping(int line, Map<String, Member> members) implements YamlNode {
        public Mapping {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A list. */
    record Sequence(int line, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** What a scalar was read as. */
    enum Kind { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }

    /**
     * A single value.
     *
     * @param text  the value as written (for a quoted string, its content)
     * @param value the value of an {@link Kind#INTEGER} or {@link Kind#DECIMAL} (a {@link Number}, or null when
     *              it has none, such as {@code .nan}) or of a {@link Kind#BOOLEAN} (a {@link Boolean}); else null
     */
    record Scalar(int line, Kind kind, String text, Object value) implements YamlNode {
        boolean isNull() {
            return kind == Kind.NULL;
        }

        @Override
        public String describe() {
            return switch (kind) {
                case STRING -> '"' + text + '"';
                case NULL -> "empty";
                default -> text;
            };
        }
    }
}
