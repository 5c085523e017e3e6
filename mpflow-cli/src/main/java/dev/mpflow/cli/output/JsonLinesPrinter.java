package dev.mpflow.cli.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line and per result, for machines: {@code task}, {@code agent}, {@code input},
 * {@code status}, {@code result}, {@code attempts}, {@code error}, {@code errorType}, {@code durationMs},
 * {@code workerPid}, {@code startedAt}, {@code endedAt}.
 */
public final class JsonLinesPrinter implements ResultPrinter {
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private final OutputStream out;

    public JsonLinesPrinter(OutputStream out) {
        this.out = out;
    }

    /** The fields of one result, in output order. */
    public static Map<String, Object> fields(TaskResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", r.task());
        m.put("agent", r.agent().orElse(null));
        m.put("input", r.input());
        m.put("status", r.status().wireName());
        m.put("result", jsonValue(r.value()));
        m.put("attempts", r.attempts());
        m.put("error", r.error().map(TaskError::summary).orElse(null));
        m.put("errorType", r.error().map(TaskError::type).orElse(null));
        m.put("durationMs", r.duration().toMillis());
        m.put("workerPid", r.workerPid());
        m.put("startedAt", r.startedAt().toString());
        m.put("endedAt", r.endedAt().toString());
        return m;
    }

    /** Strings, numbers and booleans as themselves; anything else as its text. */
    static Object jsonValue(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return value.toString();
    }

    @Override
    public void print(TaskResult result) {
        try {
            out.write(mapper.writeValueAsBytes(fields(result)));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
