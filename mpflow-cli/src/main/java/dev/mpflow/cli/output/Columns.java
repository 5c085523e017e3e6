package dev.mpflow.cli.output;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of text in aligned columns, two spaces apart, as {@code mpflow runs} and {@code mpflow show} print them.
 * Control characters in cells are made visible; the last column is not padded, and each line may be cut to the
 * terminal's width.
 */
public final class Columns {
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    /** @param rightAligned which columns hold numbers, aligned on the right */
    public Columns(boolean... rightAligned) {
        this.rightAligned = rightAligned.clone();
    }

    public Columns add(String... cells) {
        List<String> row = new ArrayList<>(cells.length);
        for (String c : cells) {
            row.add(DisplayText.printable(c == null ? "" : c));
        }
        rows.add(row);
        return this;
    }

    /** The lines, each cut to {@code width} columns (0 for no limit). */
    public List<String> lines(int width) {
        int n = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] widths = new int[n];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], DisplayText.width(row.get(i)));
            }
        }
        List<String> lines = new ArrayList<>(rows.size());
        for (List<String> row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean last = i == row.size() - 1;
                boolean right = i < rightAligned.length && rightAligned[i];
                if (i > 0) {
                    b.append("  ");
                }
                b.append(right ? DisplayText.padLeft(cell, widths[i]) : last ? cell : DisplayText.pad(cell, widths[i]));
            }
            String line = b.toString().stripTrailing();
            lines.add(width > 0 ? DisplayText.head(line, width) : line);
        }
        return lines;
    }

    /** One line of text cut to {@code width} columns, control characters made visible. */
    public static String cut(String text, int width) {
        return DisplayText.head(DisplayText.printable(text), width);
    }
}
