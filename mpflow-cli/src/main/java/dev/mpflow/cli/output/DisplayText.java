package dev.mpflow.cli.output;

/**
 * Text as a terminal shows it: control characters made visible, and widths counted in terminal columns (East Asian
 * wide characters and most emoji take two, combining marks none), so that a table's columns stay aligned.
 */
final class DisplayText {
    private DisplayText() {
    }

    /**
     * {@code s} with nothing a terminal would act on: line breaks and tabs become spaces; every other control
     * character (ESC, BEL, backspace, DEL, the C1 controls) becomes {@code ?}, so that a value cannot move the
     * cursor, change colours or ring the bell.
     */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char replacement;
            if (c == '\n' || c == '\r' || c == '\t') {
                replacement = ' ';
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                replacement = '?';
            } else {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(s.length()).append(s, 0, i);
            }
            b.append(replacement);
        }
        return b == null ? s : b.toString();
    }

    /** The columns {@code s} takes on a terminal. */
    static int width(String s) {
        int width = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            width += width(cp);
            i += Character.charCount(cp);
        }
        return width;
    }

    /** The columns one code point takes: 0, 1 or 2. */
    static int width(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT
                || (cp >= 0xfe00 && cp <= 0xfe0f)) {
            return 0;
        }
        return isWide(cp) ? 2 : 1;
    }

    private static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115f)
                || (cp >= 0x2e80 && cp <= 0x303e)
                || (cp >= 0x3041 && cp <= 0x33ff)
                || (cp >= 0x3400 && cp <= 0x4dbf)
                || (cp >= 0x4e00 && cp <= 0x9fff)
                || (cp >= 0xa000 && cp <= 0xa4cf)
                || (cp >= 0xac00 && cp <= 0xd7a3)
                || (cp >= 0xf900 && cp <= 0xfaff)
                || (cp >= 0xfe30 && cp <= 0xfe4f)
                || (cp >= 0xff00 && cp <= 0xff60)
                || (cp >= 0xffe0 && cp <= 0xffe6)
                || (cp >= 0x1f300 && cp <= 0x1f64f)
                || (cp >= 0x1f900 && cp <= 0x1f9ff)
                || (cp >= 0x20000 && cp <= 0x3fffd);
    }

    /** {@code s} padded with spaces to {@code columns}; unchanged when it is as wide or wider. */
    static String pad(String s, int columns) {
        int w = width(s);
        return w >= columns ? s : s + " ".repeat(columns - w);
    }

    /** {@code s} padded with spaces on the left to {@code columns}. */
    static String padLeft(String s, int columns) {
        int w = width(s);
        return w >= columns ? s : " ".repeat(columns - w) + s;
    }

    /** The start of {@code s} that fits in {@code columns}, ending in "…" when cut. */
    static String head(String s, int columns) {
        if (width(s) <= columns) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int used = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int w = width(cp);
            if (used + w > columns - 1) {
                break;
            }
            b.appendCodePoint(cp);
            used += w;
            i += Character.charCount(cp);
        }
        return b.append('…').toString();
    }

    /** The end of {@code s} that fits in {@code columns}, starting with "…" when cut: a file name tells more. */
    static String tail(String s, int columns) {
        if (width(s) <= columns) {
            return s;
        }
        int used = 0;
        int start = s.length();
        while (start > 0) {
            int cp = s.codePointBefore(start);
            int w = width(cp);
            if (used + w > columns - 1) {
                break;
            }
            used += w;
            start -= Character.charCount(cp);
        }
        return "…" + s.substring(start);
    }
}
