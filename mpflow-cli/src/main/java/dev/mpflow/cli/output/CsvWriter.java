package dev.mpflow.cli.output;

import java.util.List;

/**
 * Rows in CSV as RFC 4180 has it: fields separated by commas, records ended by CRLF, and a field that holds a
 * comma, a double quote, a line break or surrounding spaces enclosed in double quotes, its quotes doubled. A
 * {@code null} is an empty field.
 */
public final class CsvWriter {
    private CsvWriter() {
    }

    /** One record, with its CRLF. */
    public static String record(List<?> fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(fields.get(i)));
        }
        return b.append("\r\n").toString();
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                || (!s.isEmpty() && (Character.isWhitespace(s.charAt(0))
                        || Character.isWhitespace(s.charAt(s.length() - 1))));
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
