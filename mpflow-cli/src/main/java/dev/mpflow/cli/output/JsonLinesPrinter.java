package dev.mpflow.cli.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line and per result, for machines: {@code task}, {@code agent}, {@code input},
 * {@code status}, {@code result}, {@code resultEncoding}, {@code attempts}, {@code error}, {@code errorType},
 * {@code durationMs}, {@code workerPid}, {@code startedAt}, {@code endedAt}, {@code stdout}. A result that is bytes
 * rather than text is written in base64, with {@code resultEncoding} {@value ResultValues#BASE64} ({@code null}
 * otherwise); see {@link ResultValues}. {@code stdout} is what the last attempt printed and kept (a command's output
 * when it failed: when it succeeded, that is its result), {@code null} when nothing.
 */
public final class JsonLinesPrinter implements ResultPrinter {
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private final PrintStream out;

    public JsonLinesPrinter(PrintStream out) {
        this.out = out;
    }

    /** The fields of one result, in output order. */
    public static Map<String, Object> fields(TaskResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", r.task());
        m.put("agent", r.agent().orElse(null));
        m.put("input", r.input());
        m.put("status", r.status().wireName());
        m.put("result", ResultValues.machineValue(r.value()));
        m.put("resultEncoding", ResultValues.encoding(r.value()));
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

    @Override
    public void print(TaskResult result) {
        byte[] line;
        try {
            line = mapper.writeValueAsBytes(fields(result));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // One write per line, so that a reader never sees half a line from us.
        byte[] withNewline = Arrays.copyOf(line, line.length + 1);
        withNewline[line.length] = '\n';
        out.write(withNewline, 0, withNewline.length);
        out.flush();
    }

    @Override
    public boolean failed() {
        return out.checkError();
    }

    @Override
    public void close() {
        out.flush();
    }
}
