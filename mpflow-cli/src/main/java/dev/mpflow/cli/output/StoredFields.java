package dev.mpflow.cli.output;

import dev.mpflow.TaskError;
import dev.mpflow.store.sqlite.StoredResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stored result as the fields of {@code mpflow run --output jsonl}, in the same order and with the same values
 * (bytes in base64, as {@link ResultValues} has them): what {@code mpflow export} writes.
 */
public final class StoredFields {
    /** The field names, in output order: the header of a CSV export. */
    public static final List<String> NAMES = List.of("task", "agent", "input", "status", "result",
            "resultEncoding", "attempts", "error", "errorType", "durationMs", "workerPid", "startedAt", "endedAt",
            "stdout");

    private StoredFields() {
    }

    public static Map<String, Object> fields(StoredResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", r.task());
        m.put("agent", r.agent().orElse(null));
        m.put("input", r.input());
        m.put("status", r.status().wireName());
        m.put("result", value(r));
        m.put("resultEncoding", bytes(r) ? ResultValues.BASE64 : null);
        m.put("attempts", r.attempts());
        m.put("error", r.error().map(TaskError::summary).orElse(null));
        m.put("errorType", r.error().map(TaskError::type).orElse(null));
        m.put("durationMs", r.duration().toMillis());
        m.put("workerPid", r.workerPid());
        m.put("startedAt", r.startedAt().toString());
        m.put("endedAt", r.endedAt().toString());
        m.put("stdout", r.stdout().isEmpty() ? null : r.stdout());
        return m;
    }

    /** Whether the value was bytes, stored in base64: written as stored, as a run prints it. */
    private static boolean bytes(StoredResult r) {
        return r.valueText().isPresent() && r.valueType().equals(Optional.of(StoredResult.BASE64_BYTES));
    }

    /** Numbers and booleans as themselves, as a run prints them; anything else as its stored text. */
    static Object value(StoredResult r) {
        if (r.valueText().isEmpty()) {
            return null;
        }
        String text = r.valueText().get();
        try {
            return switch (r.valueType().orElse("")) {
                case "java.lang.Integer" -> Integer.valueOf(text);
                case "java.lang.Long" -> Long.valueOf(text);
                case "java.lang.Short" -> Short.valueOf(text);
                case "java.lang.Byte" -> Byte.valueOf(text);
                case "java.lang.Double" -> Double.valueOf(text);
                case "java.lang.Float" -> Float.valueOf(text);
                case "java.lang.Boolean" -> Boolean.valueOf(text);
                default -> text;
            };
        } catch (NumberFormatException e) {
            return text;
        }
    }
}
