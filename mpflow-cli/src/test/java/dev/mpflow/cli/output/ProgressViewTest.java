package dev.mpflow.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the progress bar writes to its terminal, given the results and the end of the input. */
@Timeout(30)
class ProgressViewTest {
    private static final String CLEAR_LINE = "\r\u001b[2K";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final SharedStderr stderr = new SharedStderr(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String written() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void onceTheInputHasEndedTheBarShowsTheTotalAndItsLastDrawingComesOnce() {
        ProgressView view = new ProgressView(stderr, -1, 100);
        view.step();
        view.step();
        view.step();
        view.total(3);
        int before = written().length();
        view.close();

        // What closing wrote: one drawing over the whole line, then the end of that line.
        String closing = written().substring(before);
        assertThat(closing).startsWith(CLEAR_LINE).endsWith("\n");
        assertThat(count(closing, CLEAR_LINE)).as("%s", closing).isEqualTo(1);
        assertThat(count(closing, "\r")).isEqualTo(1);
        assertThat(count(closing, "\n")).isEqualTo(1);
        assertThat(closing).matches(Pattern.quote(CLEAR_LINE) + "mpflow 100% \\[=+\\] 3/3 tasks \\(.*\\) .* tasks/s\n");
    }

    @Test
    void closingAtOnceStillDrawsTheLastStateOnceAndEndsItsLine() {
        ProgressView view = new ProgressView(stderr, 2, 100);
        view.step();
        view.step();
        int before = written().length();
        view.close();
        view.close();

        String closing = written().substring(before);
        assertThat(closing).matches(Pattern.quote(CLEAR_LINE) + "mpflow 100% \\[=+\\] 2/2 tasks \\(.*\\) .* tasks/s\n");
        assertThat(count(written(), "\n")).isEqualTo(1);
    }

    @Test
    void whatIsWrittenAfterTheBarStartsOnALineOfItsOwn() {
        ProgressView view = new ProgressView(stderr, 1, 100);
        view.step();
        view.close();
        stderr.others().print("mpflow: 1 succeeded\n");

        String out = written();
        assertThat(out).endsWith(" 1/1 tasks (0:00:00 / 0:00:00) ? tasks/s\nmpflow: 1 succeeded\n");
    }
}
