package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one rule for input lines: stdin, --inputs and a workflow's inputs files alike. */
class LineReaderTest {
    private static LineReader reader(byte[] bytes) {
        return new LineReader(new ByteArrayInputStream(bytes), "in.txt");
    }

    private static List<String> lines(String text) {
        LineReader r = reader(text.getBytes(StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line = r.nextTaskLine(); line != null; line = r.nextTaskLine()) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void blankLinesAreSkippedAndOthersKeptAsWritten() {
        assertThat(lines("a\n\n   \n\t\n  b c  \r\nlast")).containsExactly("a", "  b c  ", "last");
        assertThat(lines("")).isEmpty();
        assertThat(lines("\n\n")).isEmpty();
        assertThat(lines("ünï ✓ 漢字\n")).containsExactly("ünï ✓ 漢字");
    }

    @Test
    void lineNumbersCountBlankLines() {
        LineReader r = reader("a\n\nb\n".getBytes(StandardCharsets.UTF_8));
        assertThat(r.nextTaskLine()).isEqualTo("a");
        assertThat(r.lineNumber()).isEqualTo(1);
        assertThat(r.nextTaskLine()).isEqualTo("b");
        assertThat(r.lineNumber()).isEqualTo(3);
        assertThat(r.nextTaskLine()).isNull();
    }

    @Test
    void aLineThatIsNotUtf8IsAnErrorWithItsNumber() {
        LineReader r = reader(new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n', 'z', '\n'});
        assertThat(r.nextTaskLine()).isEqualTo("ok");
        InputLineException e = assertThrows(InputLineException.class, r::nextTaskLine);
        assertThat(e.getMessage()).isEqualTo("in.txt:2: not valid UTF-8");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.problem()).isEqualTo("not valid UTF-8");
    }

    @Test
    void theLineNumberIsRightFarIntoALargeStream() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 1; i < 50_000; i++) {
            bytes.writeBytes(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        bytes.writeBytes(new byte[] {'b', 'a', 'd', (byte) 0xc3, (byte) 0x28, '\n', 'n', 'e', 'x', 't', '\n'});
        LineReader r = reader(bytes.toByteArray());
        long read = 0;
        InputLineException e = null;
        try {
            while (r.nextTaskLine() != null) {
                read++;
            }
        } catch (InputLineException thrown) {
            e = thrown;
        }
        assertThat(read).isEqualTo(49_999);
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("in.txt:50000: not valid UTF-8");
    }

    @Test
    void blankLinesOfInvalidBytesAreStillErrors() {
        InputLineException e = assertThrows(InputLineException.class,
                () -> reader(new byte[] {'\n', (byte) 0xff, '\n'}).nextTaskLine());
        assertThat(e.getMessage()).isEqualTo("in.txt:2: not valid UTF-8");
    }

    @Test
    void aNulByteIsRefusedOnlyFromInputsThatGoIntoArguments() {
        byte[] bytes = {'a', 0, 'b', '\n'};
        assertThat(reader(bytes).nextTaskLine()).isEqualTo("a\0b");
        LineReader forArguments = new LineReader(new ByteArrayInputStream(bytes), "in.txt", true);
        InputLineException e = assertThrows(InputLineException.class, forArguments::nextTaskLine);
        assertThat(e.getMessage()).isEqualTo("in.txt:1: holds a NUL byte, which no program argument can hold");
    }
}
