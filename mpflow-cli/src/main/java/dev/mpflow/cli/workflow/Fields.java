package dev.mpflow.cli.workflow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The fields of one mapping of a workflow file, read with the types they must have. Every problem is reported
 * with the line and the path of the field at fault.
 */
final class Fields {
    private final WorkflowSource source;
    private final Interpolator interpolator;
    private final String path;
    private final YamlNode.Mapping mapping;

    private Fields(WorkflowSource source, Interpolator interpolator, String path, YamlNode.Mapping mapping) {
        this.source = source;
        this.interpolator = interpolator;
        this.path = path;
        this.mapping = mapping;
    }

    /**
     * The fields of {@code node}, found at {@code path}.
     *
     * @param expected what the node should be, for the message when it is not a mapping ("a mapping with ...")
     */
    static Fields of(WorkflowSource source, Interpolator interpolator, String path, YamlNode node, String expected)
            throws WorkflowFileException {
        if (!(node instanceof YamlNode.Mapping mapping)) {
            throw source.error(node.line(), path, "must be " + expected + ", was " + node.describe());
        }
        return new Fields(source, interpolator, path, mapping);
    }

    /** The fields of the mapping in field {@code key}, which must be present. */
    Fields child(String key, String expected) throws WorkflowFileException {
        return of(source, interpolator, pathOf(key), require(key), expected);
    }

    /** The fields of item {@code index} of the list in field {@code listKey}. */
    Fields element(String listKey, int index, YamlNode item, String expected) throws WorkflowFileException {
        return of(source, interpolator, FieldPaths.element(pathOf(listKey), index), item, expected);
    }

    /** The line the mapping starts on. */
    int line() {
        return mapping.line();
    }

    /** Rejects any field not in {@code allowed}, suggesting the allowed field it was probably meant to be. */
    void allowOnly(List<String> allowed) throws WorkflowFileException {
        for (YamlNode.Member member : mapping.members().values()) {
            if (!allowed.contains(member.key())) {
                String suggestion = DidYouMean.suggest(member.key(), allowed)
                        .map(s -> " (did you mean '" + s + "'?)").orElse("");
                throw source.error(member.keyLine(), path, "unknown field '" + member.key() + "'" + suggestion
                        + "; allowed: " + String.join(", ", allowed));
            }
        }
    }

    boolean has(String key) {
        return mapping.members().containsKey(key);
    }

    Optional<YamlNode> node(String key) {
        YamlNode.Member member = mapping.members().get(key);
        return member == null ? Optional.empty() : Optional.of(member.value());
    }

    /** The value of field {@code key}; reports it missing when it is not there. */
    YamlNode require(String key) throws WorkflowFileException {
        return node(key).orElseThrow(() -> error("missing required field '" + key + "'"));
    }

    /** The path of field {@code key}, such as {@code agents[0].name}. */
    String pathOf(String key) {
        return FieldPaths.member(path, key);
    }

    /** A problem with the mapping as a whole. */
    WorkflowFileException error(String problem) {
        return source.error(mapping.line(), path, problem);
    }

    /** A problem with {@code node}, found at {@code nodePath} (an item of a list, say). */
    WorkflowFileException errorAt(YamlNode node, String nodePath, String problem) {
        return source.error(node.line(), nodePath, problem);
    }

    /** The line field {@code key}'s name is on, 0 when absent; a block's value begins on the line after it. */
    int keyLine(String key) {
        YamlNode.Member member = mapping.members().get(key);
        return member == null ? 0 : member.keyLine();
    }

    /** A problem with field {@code key} as a whole (such as a block), at the line of its name. */
    WorkflowFileException fieldError(String key, String problem) {
        return source.error(has(key) ? keyLine(key) : mapping.line(), pathOf(key), problem);
    }

    /** A problem with the value of field {@code key}. */
    WorkflowFileException error(String key, String problem) {
        int line = node(key).map(YamlNode::line).orElse(mapping.line());
        return source.error(line, pathOf(key), problem);
    }

    /** A whole number from {@code min} to {@code max}. */
    OptionalInt wholeNumber(String key, int min, int max) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return OptionalInt.empty();
        }
        String expected = "must be a whole number of at least " + min;
        BigInteger value = integerValue(node.get()).orElseThrow(() -> wasError(key, expected));
        if (value.compareTo(BigInteger.valueOf(min)) < 0) {
            throw wasError(key, expected);
        }
        if (value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw wasError(key, "must be a whole number of at most " + max);
        }
        return OptionalInt.of(value.intValueExact());
    }

    /** Any whole number that fits in an {@code int}. */
    OptionalInt integer(String key) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return OptionalInt.empty();
        }
        BigInteger value = integerValue(node.get()).orElseThrow(() -> wasError(key, "must be a whole number"));
        if (value.bitLength() > 31) {
            throw wasError(key, "must be a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        }
        return OptionalInt.of(value.intValueExact());
    }

    /** A number of at least {@code min}, whole or not. */
    OptionalDouble number(String key, double min) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return OptionalDouble.empty();
        }
        String expected = "must be a number of at least "
                + BigDecimal.valueOf(min).stripTrailingZeros().toPlainString();
        if (node.get() instanceof YamlNode.Scalar s && s.value() instanceof Number n) {
            double value = n.doubleValue();
            if (Double.isFinite(value) && value >= min) {
                return OptionalDouble.of(value);
            }
        }
        throw wasError(key, expected);
    }

    /** A number from {@code min} to {@code max}, whole or not. */
    OptionalDouble numberBetween(String key, double min, double max) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (node.get() instanceof YamlNode.Scalar s && s.value() instanceof Number n) {
            double value = n.doubleValue();
            if (value >= min && value <= max) {
                return OptionalDouble.of(value);
            }
        }
        throw wasError(key, "must be a number from " + plain(min) + " to " + plain(max));
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** A size such as {@code 1MB} or {@code 64MiB}, in bytes, from {@code min} to {@code max}. */
    OptionalLong size(String key, long min, long max) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!(node.get() instanceof YamlNode.Scalar s) || s.isNull() || s.kind() == YamlNode.Kind.BOOLEAN) {
            throw wasError(key, "must be a size such as 500KB, 1MB or 64MiB");
        }
        long bytes;
        try {
            bytes = Sizes.parse(s.text());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        if (bytes < min) {
            throw error(key, "must be at least " + Sizes.describe(min) + ", was " + s.text());
        }
        if (bytes > max) {
            throw error(key, "must be at most " + Sizes.describe(max) + ", was " + s.text());
        }
        return OptionalLong.of(bytes);
    }

    Optional<Boolean> bool(String key) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YamlNode.Scalar s && s.value() instanceof Boolean b) {
            return Optional.of(b);
        }
        throw wasError(key, "must be true or false");
    }

    /**
     * Text, with its variables expanded. Numbers and booleans are taken as written; an empty value is the empty
     * string.
     */
    Optional<String> text(String key) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(text(node.get(), pathOf(key)));
    }

    /** Like {@link #text(String)}, but the text must not be empty or blank. */
    Optional<String> nonEmptyText(String key) throws WorkflowFileException {
        Optional<String> text = text(key);
        if (text.isPresent() && text.get().isBlank()) {
            throw error(key, "must not be empty");
        }
        return text;
    }

    /** A path, relative to the workflow file's directory unless absolute; returned absolute and normalized. */
    Optional<Path> path(String key) throws WorkflowFileException {
        Optional<String> text = nonEmptyText(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(source.resolve(text.get()));
        } catch (InvalidPathException e) {
            throw error(key, "not a valid path: " + e.getMessage());
        }
    }

    /** The text of the scalar {@code node} at {@code nodePath}, with variables expanded. */
    String text(YamlNode node, String nodePath) throws WorkflowFileException {
        if (!(node instanceof YamlNode.Scalar s)) {
            throw source.error(node.line(), nodePath, "must be text, was " + node.describe());
        }
        if (s.kind() != YamlNode.Kind.STRING) {
            return s.text();
        }
        try {
            return interpolator.expand(s.text());
        } catch (IllegalArgumentException e) {
            throw source.error(s.line(), nodePath, e.getMessage());
        }
    }

    /** Expands the variables of {@code raw}, a part of field {@code key}'s value. */
    String expand(String key, String raw) throws WorkflowFileException {
        try {
            return interpolator.expand(raw);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    /** A duration such as {@code 30s}; longer than zero unless {@code zeroAllowed}. */
    Optional<Duration> duration(String key, boolean zeroAllowed) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!(node.get() instanceof YamlNode.Scalar s) || s.isNull() || s.kind() == YamlNode.Kind.BOOLEAN) {
            throw wasError(key, "must be a duration such as 500ms, 30s, 5m or 2h");
        }
        Duration duration;
        try {
            duration = Durations.parse(s.text());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        if (duration.isZero() && !zeroAllowed) {
            throw error(key, "must be longer than zero, was " + s.text() + Durations.noneUnlessSet(key));
        }
        return Optional.of(duration);
    }

    /** The items of a list; an empty value is an empty list. */
    List<YamlNode> list(String key) throws WorkflowFileException {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty() || node.get() instanceof YamlNode.Scalar s && s.isNull()) {
            return List.of();
        }
        if (node.get() instanceof YamlNode.Sequence sequence) {
            return sequence.items();
        }
        throw wasError(key, "must be a list");
    }

    private WorkflowFileException wasError(String key, String expected) {
        return error(key, expected + ", was " + node(key).map(YamlNode::describe).orElse("missing"));
    }

    private static Optional<BigInteger> integerValue(YamlNode node) {
        if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.INTEGER && s.value() instanceof Number n) {
            return Optional.of(n instanceof BigInteger big ? big : BigInteger.valueOf(n.longValue()));
        }
        return Optional.empty();
    }
}
