package dev.mpflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The side-by-side benchmark: each workload run several times, the contenders alternating, then a table of medians
 * and of the ratio of mpflow to each peer, with the target each ratio is held to. Run by {@code bench/compare}.
 *
 * <p>Every contender is a process of its own, started the same way each time: mpflow's library side is
 * {@link Contender}, Python's is {@code bench/peers.py}, the command-line workloads are timed here from start to
 * exit. Library contenders warm their pools before their clocks start; command lines are timed whole, JVM start
 * included, as a user would wait for them.
 */
public final class Compare {
    private static final Pattern NUMBER = Pattern.compile("\"%s\": ([0-9.eE+-]+)");

    private final Path root;
    private final Path work;
    private final int reps;
    private final boolean quick;
    private final List<String[]> rows = new ArrayList<>();

    private Compare(Path root, Path work, int reps, boolean quick) {
        this.root = root;
        this.work = work;
        this.reps = reps;
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        int reps = 3;
        boolean quick = false;
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                case "--only" -> only.addAll(Arrays.asList(args[++i].split(",")));
                default -> {
                    System.err.println("usage: compare [--reps N] [--quick] [--only 1,2,3,4,5,6]");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("mpflow.root", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("mpflow-compare");
        Compare c = new Compare(root, work, reps, quick);
        c.header();
        if (only.isEmpty() || only.contains("1")) {
            c.tinyTasks();
        }
        if (only.isEmpty() || only.contains("2")) {
            c.map();
        }
        if (only.isEmpty() || only.contains("3")) {
            c.commands();
        }
        if (only.isEmpty() || only.contains("4")) {
            c.cpuBound();
        }
        if (only.isEmpty() || only.contains("5")) {
            c.autosave();
        }
        if (only.isEmpty() || only.contains("6")) {
            c.memoryAndStart();
        }
        c.table();
    }

    private void header() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", "
                + (Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("[^0-9]", "")) + " kB memory");
        System.out.println("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + "; " + firstLine("python3", "--version") + "; " + firstLine("parallel", "--version"));
        System.out.println("medians of " + reps + " runs each, contenders alternating" + (quick ? " (quick sizes)" : ""));
        System.out.println();
    }

    // ---------------------------------------------------------------- the workloads

    private void tinyTasks() throws Exception {
        int n = quick ? 50_000 : 200_000;
        int py = quick ? 20_000 : 100_000;
        int ppe = quick ? 10_000 : 50_000;
        Map<String, List<Double>> r = alternate(Map.of(
                "mpflow", () -> number(java("submit", n, 2), "perSecond"),
                "apply_async", () -> number(python("apply_async", py, 2), "perSecond"),
                "submit", () -> number(python("submit", ppe, 2), "perSecond")));
        double m = median(r.get("mpflow"));
        row("1 tiny tasks one by one, 2 workers", rate(m), "Pool.apply_async", rate(median(r.get("apply_async"))),
                m / median(r.get("apply_async")), ">= 4");
        row("", "", "ProcessPoolExecutor.submit", rate(median(r.get("submit"))), m / median(r.get("submit")), "");
    }

    private void map() throws Exception {
        int n = 1_000_000;
        Map<String, List<Double>> r = alternate(Map.of(
                "mpflow", () -> number(java("map", n, 2), "seconds"),
                "Pool.map", () -> number(python("map", n, 2), "seconds")));
        double m = median(r.get("mpflow"));
        row("2 map over 1,000,000 integers", seconds(m), "Pool.map (default chunks)", seconds(median(r.get("Pool.map"))),
                median(r.get("Pool.map")) / m, ">= 1");
    }

    private void commands() throws Exception {
        int n = quick ? 500 : 2000;
        Path inputs = work.resolve("numbers.txt");
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            lines.append(i).append('\n');
        }
        Files.writeString(inputs, lines);
        Path files = work.resolve("files");
        Files.createDirectories(files);
        Random random = new Random(1);
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[512 + random.nextInt(3584)];
            random.nextBytes(bytes);
            Path f = files.resolve("f" + i + ".bin");
            Files.write(f, bytes);
            names.append(f).append('\n');
        }
        Path fileList = work.resolve("files.txt");
        Files.writeString(fileList, names);
        commandRows(n + " x true", inputs, "true");
        commandRows(n + " x sha256sum of a small file", fileList, "sha256sum");
    }

    private void commandRows(String what, Path inputs, String program) throws Exception {
        String mpflow = root.resolve("mpflow").toString();
        Path store = work.resolve("runs.db");
        Map<String, List<Double>> r = alternate(Map.of(
                "mpflow", () -> timed(inputs, mpflow, "run", "-j", "2", "--store", store.toString(), "--output",
                        "jsonl", "--", program, "{}"),
                "mpflow-no-autosave", () -> timed(inputs, mpflow, "run", "-j", "2", "--no-autosave", "--output",
                        "jsonl", "--", program, "{}"),
                "xargs", () -> timed(inputs, "xargs", "-P", "2", "-I{}", program, "{}"),
                "parallel", () -> timed(inputs, "parallel", "-j", "2", program, "{}")));
        double m = median(r.get("mpflow"));
        double x = median(r.get("xargs"));
        double p = median(r.get("parallel"));
        row("3 " + what + ", -j 2", seconds(m), "xargs -P 2", seconds(x), x / m, ">= 0.7");
        row("", "", "parallel -j 2", seconds(p), p / m, ">= 3");
        double quiet = median(r.get("mpflow-no-autosave"));
        row("  the same, --no-autosave", seconds(quiet), "xargs -P 2", seconds(x), x / quiet, "");
        row("", "", "parallel -j 2", seconds(p), p / quiet, "");
    }

    private void cpuBound() throws Exception {
        int tasks = quick ? 20 : 40;
        long work = 60_000_000L;
        Map<String, List<Double>> r = alternate(Map.of(
                "loop", () -> number(java("cpu", tasks, 0, work), "seconds"),
                "1", () -> number(java("cpu", tasks, 1, work), "seconds"),
                "2", () -> number(java("cpu", tasks, 2, work), "seconds")));
        double loop = median(r.get("loop"));
        row("4 " + tasks + " CPU-bound tasks, 1 worker", seconds(median(r.get("1"))), "one thread, no pool",
                seconds(loop), loop / median(r.get("1")), "");
        row("  the same, 2 workers", seconds(median(r.get("2"))), "one thread, no pool", seconds(loop),
                loop / median(r.get("2")), ">= 1.8");
    }

    private void autosave() throws Exception {
        int n = quick ? 50_000 : 200_000;
        Map<String, List<Double>> r = alternate(Map.of(
                "on", () -> number(java("submit-autosave", n, 2), "perSecond"),
                "off", () -> number(java("submit", n, 2), "perSecond")));
        double on = median(r.get("on"));
        double off = median(r.get("off"));
        row("5 workload 1 with autosave on", rate(on), "autosave off", rate(off), on / off, ">= 0.85");
        List<Double> store = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            store.add(number(java("store", quick ? 20_000 : 100_000, 0), "perSecond"));
        }
        row("  the store alone, jobs committed", rate(median(store)), "", "", Double.NaN, "");
    }

    private void memoryAndStart() throws Exception {
        int n = quick ? 200_000 : 1_000_000;
        String mp = java(List.of("-Xmx256m"), "queued", n, 2);
        String py = python("queued", n, 2);
        row("6 " + String.format(Locale.ROOT, "%,d", n) + " tasks queued at once: heap",
                mib(number(mp, "queuedHeapMiB")) + " (-Xmx256m)", "", "", Double.NaN, "< 256 MiB");
        row("  peak resident memory", mib(number(mp, "peakRssMiB")), "Pool.apply_async", mib(number(py, "peakRssMiB")),
                number(py, "peakRssMiB") / number(mp, "peakRssMiB"), "");
        List<Double> first = new ArrayList<>();
        for (int i = 0; i < Math.max(3, reps); i++) {
            first.add(number(java("first", 1, 2), "seconds"));
        }
        row("  first result from a cold pool", seconds(median(first)), "", "", Double.NaN, "< 0.5 s");
    }

    // ---------------------------------------------------------------- running contenders

    @FunctionalInterface
    private interface Run {
        double once() throws Exception;
    }

    /** Runs each contender {@code reps} times, taking turns, so that a slow moment of the machine hits all alike. */
    private Map<String, List<Double>> alternate(Map<String, Run> contenders) throws Exception {
        List<String> names = new ArrayList<>(contenders.keySet());
        names.sort(null);
        Map<String, List<Double>> results = new LinkedHashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (String name : names) {
                double v = contenders.get(name).once();
                results.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
                System.err.printf(Locale.ROOT, "  %-20s run %d: %.4g%n", name, rep + 1, v);
            }
        }
        return results;
    }

    private String java(String workload, Object... args) throws Exception {
        return java(List.of(), workload, args);
    }

    private String java(List<String> options, String workload, Object... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC"));
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Contender.class.getName(), workload));
        for (Object a : args) {
            command.add(String.valueOf(a));
        }
        return output(command);
    }

    private String python(String workload, int count, int workers) throws Exception {
        return output(List.of("python3", root.resolve("bench/peers.py").toString(), workload, Integer.toString(count),
                Integer.toString(workers)));
    }

    /** The last line a contender printed on stdout (its JSON result); fails on a non-zero exit. */
    private String output(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    /** Seconds from start to exit of a command reading {@code stdin}, its output discarded. */
    private double timed(Path stdin, String... command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectInput(stdin.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .directory(work.toFile()).start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with " + p.exitValue());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out.lines().findFirst().orElse("?");
        } catch (IOException | InterruptedException e) {
            return command[0] + " not found";
        }
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile(String.format(NUMBER.pattern(), Pattern.quote(key))).matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    // ---------------------------------------------------------------- the table

    private void row(String workload, String mpflow, String peer, String peerValue, double ratio, String target) {
        rows.add(new String[] {workload, mpflow, peer, peerValue,
                Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2fx", ratio), target});
    }

    private void table() {
        String[] head = {"workload", "mpflow", "peer", "peer's", "ratio", "target"};
        int[] width = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            width[i] = head[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        System.out.println();
        print(head, width);
        String[] rule = new String[head.length];
        for (int i = 0; i < head.length; i++) {
            rule[i] = "-".repeat(width[i]);
        }
        print(rule, width);
        rows.forEach(r -> print(r, width));
        System.out.println();
        System.out.println("ratio: mpflow's throughput over the peer's (rates divided, or times inverted); for 4, the"
                + " speedup over one thread; for 5, autosave on over off; for 6, the peer's memory over mpflow's.");
    }

    private static void print(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            boolean left = i == 0 || i == 2;
            String cell = cells[i];
            String pad = " ".repeat(width[i] - cell.length());
            b.append(left ? cell + pad : pad + cell).append(i < cells.length - 1 ? "  " : "");
        }
        System.out.println(b.toString().stripTrailing());
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f s", s);
    }

    private static String mib(double m) {
        return String.format(Locale.ROOT, "%.0f MiB", m);
    }
}
