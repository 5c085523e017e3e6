package dev.mpflow.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResultValuesTest {
    private static final byte[] NOT_UTF8 = {(byte) 0xff, (byte) 0xfe, 'a', 'b', 'c'};

    @Test
    void machinesGetBytesInBase64WithTheirEncodingAndEverythingElseAsItself() {
        assertThat(ResultValues.machineValue(NOT_UTF8)).isEqualTo("//5hYmM=");
        assertThat(ResultValues.encoding(NOT_UTF8)).isEqualTo("base64");
        assertThat(ResultValues.machineValue("text")).isEqualTo("text");
        assertThat(ResultValues.machineValue(42)).isEqualTo(42);
        assertThat(ResultValues.machineValue(null)).isNull();
        for (Object notBytes : new Object[] {"text", 42, true, null}) {
            assertThat(ResultValues.encoding(notBytes)).isNull();
        }
    }

    @Test
    void peopleGetTheTextWithInvalidBytesReplacedAndANoteOfTheSize() {
        assertThat(ResultValues.humanText(NOT_UTF8)).isEqualTo("\uFFFD\uFFFDabc (5 bytes, not UTF-8)");
        assertThat(ResultValues.humanText(new byte[] {(byte) 0x80})).isEqualTo("\uFFFD (1 byte, not UTF-8)");
        // Bytes from a library task may well be UTF-8: the note then says only the size.
        assertThat(ResultValues.humanText((Object) "hé".getBytes(StandardCharsets.UTF_8))).isEqualTo("hé (3 bytes)");
        assertThat(ResultValues.humanText((Object) "text")).isEqualTo("text");
    }
}
