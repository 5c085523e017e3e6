package dev.mpflow.cli.workflow;

import dev.mpflow.RetrySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads {@code retries} and the {@code retry} block of a mapping (the top level, or one agent) into
 * {@link RetryOverrides}, and checks them against the settings they apply to: a delay longer than the longest
 * delay, or an exception type or exit code that would be both retried and aborted on, is an error at the line of
 * the field that brings it in.
 */
final class RetryReader {
    static final List<String> FIELDS = List.of("delay", "maxDelay", "multiplier", "jitter", "retryOn", "abortOn",
            "retryOnExitCodes", "abortOnExitCodes", "retryTimeouts", "retryCrashes");
    /** A class name with its package: identifiers separated by dots, at least two of them. */
    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(?:\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+");

    /** What was read: the overrides themselves, and the settings they make once applied. */
    record Read(RetryOverrides overrides, RetrySettings settings) {
    }

    /** A value of a list, with where it is written. */
    private record Item<T>(T value, YamlNode node, String path) {
    }

    private RetryReader() {
    }

    /**
     * Reads the retry settings of {@code owner} and applies them to {@code base}.
     *
     * @param retries the owner's {@code retries}, already read
     * @param origin  says where a setting that {@code owner} leaves out comes from, for messages: "by default",
     *                "from the workflow's retry block"
     */
    static Read read(Fields owner, OptionalInt retries, RetrySettings base, Function<String, String> origin)
            throws WorkflowFileException {
        if (!owner.has("retry")) {
            RetryOverrides overrides = new RetryOverrides(retries, Optional.empty(), Optional.empty(),
                    OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
            return new Read(overrides, settle(owner, overrides, base));
        }
        Fields block = owner.child("retry", "a mapping with " + String.join(", ", FIELDS));
        block.allowOnly(FIELDS);
        Optional<Duration> delay = block.duration("delay", true);
        Optional<Duration> maxDelay = block.duration("maxDelay", false);
        OptionalDouble multiplier = block.number("multiplier", 1);
        OptionalDouble jitter = block.numberBetween("jitter", 0, 1);
        Optional<List<Item<String>>> retryOn = typeNames(block, "retryOn");
        Optional<List<Item<String>>> abortOn = typeNames(block, "abortOn");
        Optional<List<Item<Integer>>> retryCodes = exitCodes(block, "retryOnExitCodes");
        Optional<List<Item<Integer>>> abortCodes = exitCodes(block, "abortOnExitCodes");
        Optional<Boolean> retryTimeouts = block.bool("retryTimeouts");
        Optional<Boolean> retryCrashes = block.bool("retryCrashes");

        checkDelays(block, delay, maxDelay, base, origin);
        checkDisjoint(block, "retryOn", retryOn, base.retryOn().stream().toList(),
                "abortOn", abortOn, base.abortOn().stream().toList(), "a type", origin);
        checkDisjoint(block, "retryOnExitCodes", retryCodes, base.retryOnExitCodes().stream().toList(),
                "abortOnExitCodes", abortCodes, base.abortOnExitCodes().stream().toList(), "an exit code", origin);

        RetryOverrides overrides = new RetryOverrides(retries, delay, maxDelay, multiplier, jitter,
                values(retryOn), values(abortOn), values(retryCodes), values(abortCodes), retryTimeouts, retryCrashes);
        return new Read(overrides, settle(owner, overrides, base));
    }

    /**
     * The problem of a {@code retry} block written beside {@code retries: 0} in the same place: no attempt is
     * retried, so none of it applies there. Empty when there is none. Whether it is an error is the caller's call:
     * a place below that retries (an agent under the workflow, a task entry under its agent) uses the block.
     */
    static Optional<WorkflowFileException> unusedBlock(Fields owner, OptionalInt retries) {
        if (retries.isEmpty() || retries.getAsInt() != 0 || !owner.has("retry")) {
            return Optional.empty();
        }
        int line = owner.node("retries").map(YamlNode::line).orElse(0);
        return Optional.of(owner.fieldError("retry", "has no effect with retries: 0 (line " + line + "), as no attempt "
                + "is retried; drop it, or allow retries"));
    }

    private static RetrySettings settle(Fields owner, RetryOverrides overrides, RetrySettings base)
            throws WorkflowFileException {
        try {
            return overrides.applyTo(base);
        } catch (IllegalArgumentException e) {
            throw owner.has("retry") ? owner.error("retry", e.getMessage()) : owner.error("retries", e.getMessage());
        }
    }

    private static <T> Optional<List<T>> values(Optional<List<Item<T>>> items) {
        return items.map(list -> list.stream().map(Item::value).toList());
    }

    private static Optional<List<Item<String>>> typeNames(Fields block, String key) throws WorkflowFileException {
        if (!block.has(key)) {
            return Optional.empty();
        }
        List<YamlNode> nodes = block.list(key);
        List<Item<String>> items = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            YamlNode node = nodes.get(i);
            String path = FieldPaths.element(block.pathOf(key), i);
            String expected = "must be an exception class name with its package, such as java.io.IOException";
            if (!(node instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Kind.STRING) {
                throw block.errorAt(node, path, expected + ", was " + node.describe());
            }
            String name = s.text().strip();
            if (!CLASS_NAME.matcher(name).matches()) {
                throw block.errorAt(node, path, expected + ", was " + node.describe());
            }
            items.add(new Item<>(name, node, path));
        }
        return Optional.of(items);
    }

    private static Optional<List<Item<Integer>>> exitCodes(Fields block, String key) throws WorkflowFileException {
        if (!block.has(key)) {
            return Optional.empty();
        }
        List<YamlNode> nodes = block.list(key);
        List<Item<Integer>> items = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            YamlNode node = nodes.get(i);
            String path = FieldPaths.element(block.pathOf(key), i);
            if (!(node instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Kind.INTEGER
                    || !(s.value() instanceof Number n) || n.doubleValue() < 1 || n.doubleValue() > 255) {
                throw block.errorAt(node, path, "must be an exit code from 1 to 255, was " + node.describe());
            }
            items.add(new Item<>(n.intValue(), node, path));
        }
        return Optional.of(items);
    }

    /**
     * Rejects a value that would be both retried and aborted on, at the line of the value written in this block
     * (the aborted one when both lists are written here).
     */
    private static <T> void checkDisjoint(Fields block, String retryKey, Optional<List<Item<T>>> retry,
            List<T> inheritedRetry, String abortKey, Optional<List<Item<T>>> abort, List<T> inheritedAbort,
            String what, Function<String, String> origin) throws WorkflowFileException {
        List<T> retried = retry.map(RetryReader::plain).orElse(inheritedRetry);
        List<T> aborted = abort.map(RetryReader::plain).orElse(inheritedAbort);
        if (abort.isPresent()) {
            for (Item<T> item : abort.get()) {
                if (retried.contains(item.value())) {
                    throw block.errorAt(item.node(), item.path(), item.value() + " is also in " + retryKey
                            + (retry.isPresent() ? "" : " (" + origin.apply(retryKey) + ")")
                            + "; " + what + " is either retried or aborted on");
                }
            }
        } else if (retry.isPresent()) {
            for (Item<T> item : retry.get()) {
                if (aborted.contains(item.value())) {
                    throw block.errorAt(item.node(), item.path(), item.value() + " is also in " + abortKey
                            + " (" + origin.apply(abortKey) + "); " + what + " is either retried or aborted on");
                }
            }
        }
    }

    private static <T> List<T> plain(List<Item<T>> items) {
        return items.stream().map(Item::value).toList();
    }

    /** Rejects a first delay longer than the longest one, whether either is given here or comes from elsewhere. */
    private static void checkDelays(Fields block, Optional<Duration> delay, Optional<Duration> maxDelay,
            RetrySettings base, Function<String, String> origin) throws WorkflowFileException {
        Duration first = delay.orElse(base.delay());
        Duration longest = maxDelay.orElse(base.maxDelay());
        if (first.compareTo(longest) <= 0) {
            return;
        }
        if (delay.isPresent()) {
            throw block.error("delay", "must not exceed maxDelay (" + Durations.format(longest)
                    + (maxDelay.isEmpty() ? " " + origin.apply("maxDelay") : "") + "), was " + Durations.format(first));
        }
        throw block.error("maxDelay", "must be at least delay (" + Durations.format(first) + " "
                + origin.apply("delay") + "), was " + Durations.format(longest));
    }
}
