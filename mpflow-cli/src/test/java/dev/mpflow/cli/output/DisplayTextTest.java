package dev.mpflow.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DisplayTextTest {
    @Test
    void controlCharactersCannotReachTheTerminal() {
        assertThat(DisplayText.printable("a\u001b[31mred\u0007!")).isEqualTo("a?[31mred?!");
        assertThat(DisplayText.printable("tab\there\nnext\rline")).isEqualTo("tab here next line");
        assertThat(DisplayText.printable("del\u007f c1\u009b")).isEqualTo("del? c1?");
        assertThat(DisplayText.printable("plain ünï ✓")).isEqualTo("plain ünï ✓");
    }

    @Test
    void widthsInTerminalColumns() {
        assertThat(DisplayText.width("abc")).isEqualTo(3);
        assertThat(DisplayText.width("漢字")).isEqualTo(4);
        assertThat(DisplayText.width("e\u0301")).isEqualTo(1);
        assertThat(DisplayText.width("😀")).isEqualTo(2);
    }

    @Test
    void paddingKeepsColumnsAligned() {
        assertThat(DisplayText.pad("漢字", 6)).isEqualTo("漢字  ");
        assertThat(DisplayText.pad("ab", 6)).isEqualTo("ab    ");
        assertThat(DisplayText.padLeft("7", 3)).isEqualTo("  7");
    }

    @Test
    void cuttingCountsColumns() {
        assertThat(DisplayText.head("abcdef", 4)).isEqualTo("abc…");
        assertThat(DisplayText.head("漢字テスト", 5)).isEqualTo("漢字…");
        assertThat(DisplayText.width(DisplayText.head("漢字テスト", 5))).isLessThanOrEqualTo(5);
        assertThat(DisplayText.tail("/a/long/path/file.txt", 9)).isEqualTo("…file.txt");
        assertThat(DisplayText.tail("漢字テスト", 6)).isEqualTo("…スト");
        assertThat(DisplayText.tail("short", 9)).isEqualTo("short");
    }
}
