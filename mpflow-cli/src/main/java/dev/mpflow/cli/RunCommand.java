package dev.mpflow.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.mpflow.Agent;
import dev.mpflow.CommandAgent;
import dev.mpflow.HaltPolicy;
import dev.mpflow.MpflowException;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RetrySettings;
import dev.mpflow.Secrets;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.cli.output.JsonLinesPrinter;
import dev.mpflow.cli.output.ProgressView;
import dev.mpflow.cli.output.ResultPrinter;
import dev.mpflow.cli.output.SharedStderr;
import dev.mpflow.cli.output.TablePrinter;
import dev.mpflow.cli.workflow.AgentSpec;
import dev.mpflow.cli.workflow.Durations;
import dev.mpflow.cli.workflow.InputLineException;
import dev.mpflow.cli.workflow.LineReader;
import dev.mpflow.cli.workflow.Mode;
import dev.mpflow.cli.workflow.Programs;
import dev.mpflow.cli.workflow.RetryOverrides;
import dev.mpflow.cli.workflow.TaskRetry;
import dev.mpflow.cli.workflow.TaskSpec;
import dev.mpflow.cli.workflow.WorkflowDefinition;
import dev.mpflow.cli.workflow.WorkflowFileException;
import dev.mpflow.cli.workflow.WorkflowFileLoader;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.WorkflowListener;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoreOpenException;
import dev.mpflow.store.sqlite.StoredRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mpflow run}: runs a workflow file, or one command per input line in the manner of xargs and GNU
 * parallel.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Runs a workflow file, or a command once per input line.",
            "",
            "The first word is a workflow file when it ends in .yaml or .yml, or names a file that is not executable "
                    + "(a pipe too, such as <(...) or a named pipe); otherwise it is a command. Put -- before a "
                    + "command to leave no doubt.",
            "",
            "With a command (after --, or when the first word is not a workflow file), each line of stdin or of "
                    + "--inputs becomes one task: {} in the command is replaced by the line, or the line is "
                    + "appended as the last argument when there is no {}, as xargs does. Blank lines are skipped. "
                    + "Inputs must be UTF-8 text without NUL bytes (no program argument can hold one). A line that "
                    + "is not is refused, naming the line: for an --inputs file, before anything runs (exit code "
                    + "2); on stdin or a pipe, which are read as they come, the run halts at that line once the "
                    + "tasks before it have finished, and is saved as halted so that --resume can go on from there "
                    + "(exit code 1; 2 when it was the first line).",
            "",
            "Flags override the workflow file's top-level settings; what an agent or an entry of tasks sets for "
                    + "itself (retries, retry, timeout) still applies to that agent or to those tasks.",
            "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow run examples/checksums.yaml",
            "  mpflow run examples/checksums.yaml -j 8 --no-autosave --output table",
            "  ls *.txt | mpflow run -j 4 --retries 2 --timeout 30s -- wc -l {}",
            "  mpflow run --inputs urls.txt --halt now,fail=1 -- curl -fsS {}",
            "  mpflow run examples/checksums.yaml --resume            (continue its latest unfinished run)",
            "  mpflow run examples/checksums.yaml --retry-failed latest",
            "  mpflow run --inputs urls.txt --resume -- curl -fsS {}",
            "",
            "Resume: every run is saved with a hash of its definition (the workflow file, or the command and the "
                    + "settings that change results). --resume continues a run that did not finish: tasks that "
                    + "succeeded before are skipped, the others run. A task is known by its name, agent and input, so "
                    + "reordered or extended inputs resume correctly; an input given twice is two tasks, the first "
                    + "and the second of it. A changed definition is refused unless --force.",
            "",
            "Output: JSON lines on stdout when it is not a terminal (fields task, agent, input, status, result, "
                    + "resultEncoding, attempts, error, durationMs, ..., stdout: what a command that failed printed), "
                    + "a table otherwise. A command's output that is not UTF-8 is kept as bytes: in JSON lines the "
                    + "result is their base64, with resultEncoding base64 (null otherwise); in the table, the text "
                    + "with invalid bytes replaced and a note of its size. On stderr: a progress bar when stderr is a terminal (results on the same terminal go "
                    + "above it), and a summary.",
            "",
            "Interruption: the first Ctrl-C or SIGTERM starts no new task and gives the running ones the grace "
                    + "period (--grace) to finish; a second one stops them at once. Tasks that did not finish are "
                    + "reported as cancelled, and everything is saved; the summary is printed however early it comes. "
                    + "When stdout is closed (such as by | head), the run stops at once, says so, prints the summary "
                    + "and exits with 1.",
            "",
            "Exit codes: 0 all tasks succeeded; 1 some task failed or was cancelled, the run halted (--halt, "
                    + "--deadline, an input found bad after tasks ran) or stdout was closed; 2 bad usage, workflow "
                    + "file or inputs, and nothing ran; 130 interrupted.",
        })
final class RunCommand implements Callable<Integer> {
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    enum Output { jsonl, table }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-j", "--max-workers"}, paramLabel = "N", converter = FlagValues.Workers.class,
            description = "Worker processes to run at once (default: the file's maxWorkers, else 5).")
    Integer maxWorkers;

    @Option(names = "--autosave", negatable = true,
            description = "Save every result to the store as it completes (default: on).")
    Boolean autosave;

    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    String store;

    /** What {@code --resume} and {@code --retry-failed} hold when given without a run. */
    static final String DEFAULT_RUN = "(default run)";

    @Option(names = "--resume", paramLabel = "RUN", arity = "0..1", fallbackValue = DEFAULT_RUN,
            description = "Continue a run: tasks it completed are skipped, the others run. RUN is a run id or "
                    + "latest (default: the latest unfinished run of this workflow, or of this command).")
    String resume;

    @Option(names = "--retry-failed", paramLabel = "RUN", arity = "0..1", fallbackValue = DEFAULT_RUN,
            description = "Run again only the tasks of a finished run that did not succeed (failed, timed out or "
                    + "crashed), in that run; its other tasks, and tasks it did not have (such as inputs added "
                    + "since), are skipped. RUN is a run id or latest (default: the latest run of this workflow, or "
                    + "of this command).")
    String retryFailed;

    @Option(names = "--force",
            description = "With --resume or --retry-failed: continue even though the workflow changed since the "
                    + "run started.")
    boolean force;

    @Option(names = "--retries", paramLabel = "N", converter = FlagValues.Retries.class,
            description = "Retries after a failed first attempt, so N+1 attempts at most (default: 2).")
    Integer retries;

    @Option(names = "--retry-delay", paramLabel = "DURATION", converter = FlagValues.Duration0.class,
            description = "The wait before the first retry, doubled after each one (default: 100ms).")
    Duration retryDelay;

    @Option(names = "--retry-max-delay", paramLabel = "DURATION", converter = FlagValues.PositiveDuration.class,
            description = "The longest wait between two attempts (default: 5s).")
    Duration retryMaxDelay;

    @Option(names = "--retry-jitter", paramLabel = "SHARE", converter = FlagValues.Jitter.class,
            description = "Lengthens or shortens each wait at random by up to this share of it, 0 to 1 "
                    + "(default: 0).")
    Double retryJitter;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = FlagValues.Timeout.class,
            description = "Per-attempt timeout, such as 500ms, 30s or 5m; past it the attempt is killed. Longer "
                    + "than zero; there is none unless one is set.")
    Duration timeout;

    @Option(names = "--halt", paramLabel = "POLICY", converter = FlagValues.Halt.class,
            description = "Stop the run when tasks fail, as GNU parallel does: now,fail=N stops running tasks "
                    + "at once, soon,fail=N lets them finish; N may be a share such as 10%%: judged at every "
                    + "result, it halts once that share of all the tasks has failed (when their number is known), "
                    + "or from the 10th result on, of the results so far. Default: never.")
    HaltPolicy halt;

    @Option(names = "--deadline", paramLabel = "DURATION", converter = FlagValues.Deadline.class,
            description = "A limit for the whole run; past it, running tasks are stopped and the rest cancelled. "
                    + "Longer than zero; there is none unless one is set.")
    Duration deadline;

    @Option(names = "--grace", paramLabel = "DURATION", converter = FlagValues.Duration0.class,
            description = "How long running tasks may take to finish after Ctrl-C or SIGTERM (default: 10s).")
    Duration grace;

    @Option(names = "--capture-limit", paramLabel = "SIZE", converter = FlagValues.CaptureLimit.class,
            description = "How much of each attempt's stdout, and as much of its stderr, is kept, such as 64KB; "
                    + "0 keeps nothing (default: 1MiB). A failed command's error message carries no more of its "
                    + "stderr (its end), with a note of how much was left out.")
    Integer captureLimit;

    @Option(names = "--max-result-size", paramLabel = "SIZE", converter = FlagValues.ResultSize.class,
            description = "The largest result, such as 10MB, in bytes of the value itself (a command's output as it"
                    + " printed it; the serialized form of a Java value); a command that prints more fails"
                    + " (default: 64MiB).")
    Long maxResultSize;

    @Option(names = "--inputs", paramLabel = "FILE",
            description = "Read inputs from FILE, one per line, instead of stdin (command mode); - is stdin.")
    String inputs;

    @Option(names = "--output", paramLabel = "FORMAT",
            description = "jsonl or table (default: jsonl when stdout is not a terminal, else table).")
    Output output;

    @Option(names = {"-k", "--keep-order"},
            description = "Print results in input order rather than as they complete.")
    boolean keepOrder;

    @Option(names = {"-v", "--verbose"}, description = "Log settings, agents and every retry to stderr.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Log errors only; no progress bar.")
    boolean quiet;

    @Parameters(paramLabel = "WORKFLOW.yaml | COMMAND [ARG...]", arity = "0..*",
            description = "A workflow file, or a command to run per input (after --, or when the first word is "
                    + "not a workflow file); {} is replaced by the input.")
    List<String> positional = new ArrayList<>();

    /**
     * What must not appear in anything this command prints: the workflow file's secrets once it is read. The
     * workflow masks its results and logs itself; these are for the command's own lines.
     */
    private Secrets secrets = Secrets.NONE;

    @Override
    public Integer call() throws Exception {
        if (quiet && verbose) {
            throw new UsageException("-q/--quiet and -v/--verbose: use one or the other");
        }
        setLogLevel();
        // From the start, not from the first task: a Ctrl-C while the inputs are still being read must end with
        // the summary and exit 130 too, never with the JVM's silent exit.
        Interruptions interruptions = Interruptions.forRun(System.err);
        try {
            Plan plan = plan();
            return execute(plan, interruptions);
        } catch (UsageException e) {
            // A message may quote a value read from the file (a name, a path) that holds a secret.
            String masked = secrets.mask(e.getMessage());
            throw masked.equals(e.getMessage()) ? e : new UsageException(masked);
        } finally {
            interruptions.uninstall();
        }
    }

    /** Everything needed to run, validated before any worker starts. */
    private record Plan(MultiProcessWorkflow.Builder builder, TaskFeed tasks, long total,
            MultiProcessWorkflow.AgentMode mode, Duration grace, boolean streamed, int window, StoreChoice store) {
    }

    /**
     * The store file and where it was chosen, so that a location the store cannot use is reported as the user's
     * mistake, named as the user wrote it: {@code --store}, the workflow file's line, or the default.
     *
     * @param origin the flag, or {@code FILE:LINE: store}; {@code null} for the default
     * @param shown  the location as the message shows it
     */
    private record StoreChoice(Path file, String origin, String shown) {
        UsageException refused(StoreOpenException e, boolean existed) {
            String what = (existed ? "cannot open " : "cannot create ") + shown;
            return origin != null ? new UsageException(origin + ": " + what + ": " + e.reason())
                    : new UsageException("store: " + what + " (the default): " + e.reason()
                            + "; choose another with --store, or use --no-autosave");
        }
    }

    private Plan plan() throws UsageException {
        Optional<Path> storePath = storeFlag();
        lookLikeAFileGivenToResume();
        if (resume != null && retryFailed != null) {
            throw new UsageException("--resume and --retry-failed: use one or the other");
        }
        if (force && resume == null && retryFailed == null) {
            throw new UsageException("--force: only with --resume or --retry-failed");
        }
        return commandMode() ? commandPlan(storePath) : workflowPlan(storePath);
    }

    /**
     * {@code mpflow run --resume wf.yaml}: the optional value took the workflow file; give it back to the
     * positional parameters, where it belongs.
     */
    private void lookLikeAFileGivenToResume() {
        if (resume != null && !resume.equals(DEFAULT_RUN) && !dashDashGiven() && positional.isEmpty()
                && isWorkflowFile(resume)) {
            positional.add(resume);
            resume = DEFAULT_RUN;
        }
        if (retryFailed != null && !retryFailed.equals(DEFAULT_RUN) && !dashDashGiven() && positional.isEmpty()
                && isWorkflowFile(retryFailed)) {
            positional.add(retryFailed);
            retryFailed = DEFAULT_RUN;
        }
    }

    /**
     * Records the definition's hash and, with {@code --resume} or {@code --retry-failed}, picks the run to continue
     * and checks that the definition did not change since it started.
     */
    private void resumeSettings(MultiProcessWorkflow.Builder b, String workflowName, String hash, Settings s)
            throws UsageException {
        b.definitionHash(hash);
        if (resume == null && retryFailed == null) {
            return;
        }
        String flag = resume != null ? "--resume" : "--retry-failed";
        String given = resume != null ? resume : retryFailed;
        if (!s.autosave()) {
            throw new UsageException(flag + ": needs autosave, as the store holds what the run has done "
                    + "(drop --no-autosave, or autosave: false in the workflow file)");
        }
        Path storeFile = s.store();
        if (!Files.isRegularFile(storeFile)) {
            throw new UsageException(flag + ": no store " + storeFile + " (no run was saved there)");
        }
        // The store knows the workflow by its name as recorded: masked.
        String storedName = secrets.mask(workflowName);
        StoredRun run;
        try (SqliteRunHistory history = SqliteRunHistory.open(storeFile)) {
            if (given.equals(DEFAULT_RUN)) {
                Optional<StoredRun> found = resume != null ? history.latestUnfinishedRun(storedName)
                        : history.runs().stream().filter(r -> r.workflow().equals(storedName)).findFirst();
                run = found.orElseThrow(() -> new UsageException(flag + ": no " + (resume != null ? "unfinished " : "")
                        + "run of workflow '" + storedName + "' in " + storeFile));
            } else {
                run = history.run(given).orElseThrow(() -> new UsageException(flag + ": "
                        + (given.equals(SqliteRunHistory.LATEST) ? "no runs" : "no run '" + given + "'") + " in "
                        + storeFile));
            }
        } catch (MpflowException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
        // --resume RUN of a finished run is allowed: it runs again what did not succeed, and what the run did not
        // have.
        if (retryFailed != null && run.unfinished()) {
            throw new UsageException("--retry-failed: run " + run.runId() + " did not finish ("
                    + run.status().wireName() + "); continue it with --resume " + run.runId());
        }
        if (!force && !run.workflow().equals(storedName)) {
            throw new UsageException(flag + ": run " + run.runId() + " is of workflow '" + run.workflow()
                    + "', not '" + storedName + "' (use --force to resume it anyway)");
        }
        if (!force && run.definitionHash().isPresent() && !run.definitionHash().get().equals(hash)) {
            throw new UsageException(flag + ": the workflow changed since run " + run.runId()
                    + " was started (use --force to resume anyway)");
        }
        String id = run.runId();
        set(flag, () -> {
            if (resume != null) {
                b.resume(id);
            } else {
                b.retryFailed(id);
            }
            if (force) {
                b.force(); // checked above already, with the flags' words
            }
        });
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private Optional<Path> storeFlag() throws UsageException {
        if (store == null) {
            return Optional.empty();
        }
        if (store.isBlank()) {
            throw new UsageException("--store: must name a file, was \"" + store + "\"");
        }
        Path p;
        try {
            p = Path.of(store);
        } catch (InvalidPathException e) {
            throw new UsageException("--store: not a valid path: " + e.getMessage());
        }
        if (Files.isDirectory(p)) {
            throw new UsageException("--store: " + store + " is a directory, not a file");
        }
        return Optional.of(p);
    }

    /**
     * Whether {@code word} names a workflow file: it ends in {@code .yaml} or {@code .yml}, or it names a file that
     * exists, is no directory and is not executable (an executable file is a program to run), such as a pipe
     * ({@code <(...)}, a named pipe), or it is a descriptor's path ({@code /dev/fd/N}, {@code /dev/stdin}).
     */
    static boolean isWorkflowFile(String word) {
        if (word.endsWith(".yaml") || word.endsWith(".yml")) {
            return true;
        }
        Path p;
        try {
            p = Path.of(word);
        } catch (InvalidPathException e) {
            return false;
        }
        boolean descriptor = word.startsWith("/dev/fd/") || word.startsWith("/proc/self/fd/")
                || word.equals("/dev/stdin");
        return Files.exists(p) && !Files.isDirectory(p) && (descriptor || !Files.isExecutable(p));
    }

    /**
     * Whether to run a command per input: after {@code --}, or when the first word is not a workflow file
     * ({@link #isWorkflowFile}).
     */
    private boolean commandMode() throws UsageException {
        if (dashDashGiven()) {
            return true;
        }
        if (positional.isEmpty()) {
            return false;
        }
        String first = positional.get(0);
        Path p;
        try {
            p = Path.of(first);
        } catch (InvalidPathException e) {
            return true;
        }
        if (Files.isDirectory(p)) {
            throw new UsageException("run: " + first + " is a directory, not a workflow file");
        }
        return !isWorkflowFile(first);
    }

    private boolean dashDashGiven() {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        return original.contains("--");
    }

    private Plan workflowPlan(Optional<Path> storePath) throws UsageException {
        if (positional.isEmpty()) {
            throw new UsageException("run needs a workflow file, or -- and a command (see 'mpflow run --help')");
        }
        if (positional.size() > 1) {
            throw new UsageException("run takes one workflow file; to run a command per input, put -- before it: "
                    + "mpflow run -- " + String.join(" ", positional));
        }
        if (inputs != null) {
            throw new UsageException("--inputs: only for a command (mpflow run --inputs FILE -- COMMAND); "
                    + "a workflow file lists its inputs under tasks:");
        }
        String given = positional.get(0);
        WorkflowDefinition def;
        try {
            def = WorkflowFileLoader.load(Path.of(given));
        } catch (WorkflowFileException e) {
            throw new UsageException(e.getMessage());
        }
        secrets = def.secrets();
        MultiProcessWorkflow.Builder b = MultiProcessWorkflow.builder().secrets(secrets);
        set(given + ": name", () -> b.name(def.name()));
        Settings s = settings(b, Optional.of(def), given, storePath);
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < def.agents().size(); i++) {
            agents.add(agent(def.agents().get(i), i, given, s));
        }
        set(given + ": agents", () -> b.agents(agents));
        // The bytes parsed, not the file read again: a pipe gives them once.
        resumeSettings(b, def.name(), sha256(def.content()), s);
        MultiProcessWorkflow.AgentMode mode = def.mode() == Mode.FANOUT
                ? MultiProcessWorkflow.AgentMode.FAN_OUT : MultiProcessWorkflow.AgentMode.PIPELINE;
        Map<RetryOverrides, RetrySettings> taskRetries = taskRetries(def, given, s);
        TaskFeed tasks = new TaskFeed(stopped -> () -> map(def.tasks().iterator(), spec -> toTask(spec, taskRetries)));
        long perTask = mode == MultiProcessWorkflow.AgentMode.FAN_OUT ? Math.max(1, agents.size()) : 1;
        long total;
        try {
            total = def.taskCount() * perTask;
        } catch (InputLineException e) {
            throw new UsageException(e.getMessage());
        } catch (UncheckedIOException e) {
            throw new UsageException(given + ": cannot read the tasks: " + e.getCause().getMessage());
        }
        return new Plan(b, tasks, total, mode, s.grace(), false, 0, s.autosave() ? s.storeChoice() : null);
    }

    /** A workflow file's agent, with its own settings over the workflow's. */
    private Agent agent(AgentSpec a, int index, String file, Settings s) throws UsageException {
        String where = file + ":" + a.line() + ": agents[" + index + "]";
        try {
            CommandAgent agent = CommandAgent.of(a.name(), a.command());
            if (a.timeout().isPresent()) {
                agent = agent.withTimeout(a.timeout().get());
            }
            if (s.maxResultSize().isPresent()) {
                agent = agent.withMaxOutputBytes(s.maxResultSize().get());
            }
            return a.retry().isEmpty() ? agent : agent.withRetry(a.retry().applyTo(s.retry()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + ": " + e.getMessage()
                    + (retryFlagsGiven() ? " (with the retry flags given)" : ""));
        }
    }

    /**
     * The retry settings of each entry of {@code tasks} that sets its own, applied over its agent's and the
     * workflow's (with the flags): worked out here, once per entry, so that a contradiction the flags bring in is
     * reported before anything runs. Entries that set the same are the same settings.
     */
    private Map<RetryOverrides, RetrySettings> taskRetries(WorkflowDefinition def, String file, Settings s)
            throws UsageException {
        // A task's settings apply over its agent's when one agent, with settings of its own, runs it.
        List<AgentSpec> agents = def.agents();
        RetrySettings base = agents.size() == 1 && !agents.get(0).retry().isEmpty()
                ? agents.get(0).retry().applyTo(s.retry()) : s.retry();
        Map<RetryOverrides, RetrySettings> settings = new HashMap<>();
        for (TaskRetry entry : def.taskRetries()) {
            try {
                settings.put(entry.retry(), entry.retry().applyTo(base));
            } catch (IllegalArgumentException e) {
                throw new UsageException(file + ":" + entry.line() + ": tasks[" + entry.index() + "]: "
                        + e.getMessage() + (retryFlagsGiven() ? " (with the retry flags given)" : ""));
            }
        }
        return settings;
    }

    private static Task toTask(TaskSpec spec, Map<RetryOverrides, RetrySettings> taskRetries) {
        Task.Builder t = Task.builder(spec.name()).input(spec.input()).priority(spec.priority());
        spec.timeout().ifPresent(t::timeout);
        if (!spec.retry().isEmpty()) {
            t.retry(taskRetries.get(spec.retry()));
        }
        return t.build();
    }

    private Plan commandPlan(Optional<Path> storePath) throws UsageException {
        if (positional.isEmpty()) {
            throw new UsageException("no command after -- (see 'mpflow run --help')");
        }
        List<String> command = new ArrayList<>(positional);
        Optional<String> problem = Programs.system().problem(command.get(0));
        if (problem.isPresent()) {
            throw new UsageException("command: " + problem.get());
        }
        if (command.stream().noneMatch(a -> a.contains("{}"))) {
            command.add("{}");
        }
        String name = String.join(" ", command);
        MultiProcessWorkflow.Builder b = MultiProcessWorkflow.builder();
        set("command", () -> b.name(name));
        Settings s = settings(b, Optional.empty(), null, storePath);
        String agentName = command.get(0).replace("/", "_").replaceAll("\\s", "_");
        set("command", () -> {
            CommandAgent agent = CommandAgent.of(agentName, command);
            b.agents(List.of(s.maxResultSize().map(agent::withMaxOutputBytes).orElse(agent)));
        });
        // What changes a result: the command and the largest result allowed; inputs are the tasks' identity.
        String definition = String.join("\u0000", command) + "\nmaxResultSize="
                + s.maxResultSize().map(String::valueOf).orElse("default");
        resumeSettings(b, name, sha256(definition.getBytes(StandardCharsets.UTF_8)), s);
        long total = -1;
        TaskFeed tasks;
        if (inputs == null || inputs.equals("-")) {
            tasks = new TaskFeed(stopped -> streamed(System.in, "stdin", stopped));
        } else {
            Path file = inputsFile();
            String source = "--inputs " + inputs;
            if (Files.isRegularFile(file)) {
                total = countLines(file, source);
                tasks = new TaskFeed(stopped -> () -> linesAsTasks(new LineReader(open(file), source, true)));
            } else {
                // A pipe, such as --inputs <(find ...): read once, as it comes.
                tasks = new TaskFeed(stopped -> streamed(open(file), source, stopped));
            }
        }
        // Inputs may pause (stdin, a pipe): results must not wait for the next line, so tasks are taken apart.
        int window = (int) Math.min(Integer.MAX_VALUE, Math.max(64L, s.workers() * 16L));
        return new Plan(b, tasks, total, MultiProcessWorkflow.AgentMode.PIPELINE, s.grace(), true, window,
                s.autosave() ? s.storeChoice() : null);
    }

    private Path inputsFile() throws UsageException {
        Path file;
        try {
            file = Path.of(inputs);
        } catch (InvalidPathException e) {
            throw new UsageException("--inputs: not a valid path: " + e.getMessage());
        }
        if (Files.isDirectory(file)) {
            throw new UsageException("--inputs: " + inputs + " is a directory, not a file");
        }
        if (!Files.exists(file)) {
            throw new UsageException("--inputs: file not found: " + inputs);
        }
        if (!Files.isReadable(file)) {
            throw new UsageException("--inputs: file not readable: " + inputs);
        }
        return file;
    }

    /** Counts the task lines of an inputs file, checking every one of them before anything runs. */
    private static long countLines(Path file, String source) throws UsageException {
        try (LineReader r = new LineReader(Files.newInputStream(file), source, true)) {
            long n = 0;
            while (r.nextTaskLine() != null) {
                n++;
            }
            return n;
        } catch (InputLineException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw new UsageException("--inputs: cannot read " + file + ": " + e.getMessage());
        }
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Tasks from a stream that may block, read only once, however often they are iterated. */
    private static Iterable<Task> streamed(InputStream in, String source, BooleanSupplier stopped) {
        AtomicBoolean used = new AtomicBoolean();
        return () -> {
            if (used.getAndSet(true)) {
                throw new IllegalStateException(source + " can be read once");
            }
            return map(new StreamedLines(in, source, stopped), RunCommand::lineTask);
        };
    }

    /** One task per task line, named by the line; read lazily, so inputs can stream in while tasks run. */
    private static Iterator<Task> linesAsTasks(LineReader reader) {
        return map(new Iterator<>() {
            private String next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    next = reader.nextTaskLine();
                    if (next == null) {
                        done = true;
                        try {
                            reader.close();
                        } catch (IOException e) {
                            // Everything was read.
                        }
                    }
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                String line = next;
                next = null;
                return line;
            }
        }, RunCommand::lineTask);
    }

    private static Task lineTask(String line) {
        return Task.builder(line).input(line).build();
    }

    private static <A, B> Iterator<B> map(Iterator<A> source, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public B next() {
                return f.apply(source.next());
            }
        };
    }

    // --- settings: flags over the workflow file over the defaults ---

    /** The settings every agent needs to know. */
    private record Settings(int workers, RetrySettings retry, Optional<Long> maxResultSize, Duration grace,
            boolean autosave, StoreChoice storeChoice) {
        Path store() {
            return storeChoice.file();
        }
    }

    private interface Setter {
        void apply();
    }

    /**
     * Applies one setting to a builder; a value the builder refuses becomes a usage error naming {@code where}
     * (the flag, or the file and field), never a stack trace.
     */
    private static void set(String where, Setter setter) throws UsageException {
        try {
            setter.apply();
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
    }

    private static <T> Optional<T> first(T flag, Optional<T> fromFile) {
        return flag != null ? Optional.of(flag) : fromFile;
    }

    /** Where a setting comes from, for messages: the flag when given, else the file's field. */
    private static String from(Object flag, String flagName, String file, String field) {
        return flag != null || file == null ? flagName : file + ": " + field;
    }

    private Settings settings(MultiProcessWorkflow.Builder b, Optional<WorkflowDefinition> def, String file,
            Optional<Path> storePath) throws UsageException {
        int workers = first(maxWorkers, def.flatMap(d -> boxed(d.maxWorkers())))
                .orElse(MultiProcessWorkflow.DEFAULT_MAX_WORKERS);
        set(from(maxWorkers, "-j/--max-workers", file, "maxWorkers"), () -> b.maxWorkers(workers));
        boolean saving = first(autosave, def.flatMap(WorkflowDefinition::autosave)).orElse(true);
        b.autosave(saving);
        Optional<Path> storeFile = storePath.or(() -> def.flatMap(WorkflowDefinition::store));
        if (storeFile.isPresent()) {
            set(from(store, "--store", file, "store"), () -> b.store(storeFile.get()));
        }
        checkRetriesUsed(def, file);
        RetrySettings retry = retrySettings(def.flatMap(WorkflowDefinition::retry).orElse(RetrySettings.DEFAULT),
                file);
        set("--retries", () -> b.retry(retry));
        Optional<Duration> perAttempt = first(timeout, def.flatMap(WorkflowDefinition::timeout));
        if (perAttempt.isPresent()) {
            set(from(timeout, "--timeout", file, "timeout"), () -> b.timeout(perAttempt.get()));
        }
        Optional<HaltPolicy> policy = first(halt, def.flatMap(WorkflowDefinition::halt));
        if (policy.isPresent()) {
            set(from(halt, "--halt", file, "halt"), () -> b.haltPolicy(policy.get()));
        }
        Optional<Duration> limit = first(deadline, def.flatMap(WorkflowDefinition::deadline));
        if (limit.isPresent()) {
            set(from(deadline, "--deadline", file, "deadline"), () -> b.deadline(limit.get()));
        }
        Duration stopGrace = first(grace, def.flatMap(WorkflowDefinition::grace)).orElse(DEFAULT_GRACE);
        set(from(grace, "--grace", file, "grace"), () -> b.shutdownGrace(stopGrace));
        Optional<Integer> capture = first(captureLimit, def.flatMap(d -> boxed(d.captureLimit())));
        if (capture.isPresent()) {
            set(from(captureLimit, "--capture-limit", file, "captureLimit"),
                    () -> b.captureLimitBytes(capture.get()));
        }
        Optional<Long> resultSize = first(maxResultSize, def.flatMap(d -> boxed(d.maxResultSize())));
        if (resultSize.isPresent()) {
            set(from(maxResultSize, "--max-result-size", file, "maxResultSize"),
                    () -> b.maxResultBytes(resultSize.get()));
        }
        StoreChoice choice = storePath.isPresent() ? new StoreChoice(storePath.get(), "--store", store)
                : def.flatMap(WorkflowDefinition::store)
                        .map(p -> new StoreChoice(p, file + ":" + def.get().line("store") + ": store", p.toString()))
                        .orElse(new StoreChoice(MultiProcessWorkflow.DEFAULT_STORE, null,
                                MultiProcessWorkflow.DEFAULT_STORE.toString()));
        return new Settings(workers, retry, resultSize, stopGrace, saving, choice);
    }

    private static Optional<Integer> boxed(OptionalInt o) {
        return o.isPresent() ? Optional.of(o.getAsInt()) : Optional.empty();
    }

    private static Optional<Long> boxed(OptionalLong o) {
        return o.isPresent() ? Optional.of(o.getAsLong()) : Optional.empty();
    }

    private boolean retryFlagsGiven() {
        return retries != null || retryDelay != null || retryMaxDelay != null || retryJitter != null;
    }

    /**
     * Refuses the workflow's retry spacing (the delay flags, or the file's {@code retry} block) where no attempt is
     * retried: {@code --retries 0}, or the file's {@code retries: 0} that no {@code --retries} raises. Unless an
     * agent or an entry of tasks retries of its own: it spaces its retries with these settings.
     */
    private void checkRetriesUsed(Optional<WorkflowDefinition> def, String file) throws UsageException {
        boolean retriedBelow = def.isPresent()
                && (def.get().agents().stream().anyMatch(a -> a.retry().retries().orElse(0) > 0)
                        || def.get().taskRetries().stream().anyMatch(t -> t.retry().retries().orElse(0) > 0));
        boolean fileSaysNone = def.isPresent() && def.get().retries().orElse(-1) == 0;
        if (retriedBelow || !(retries != null ? retries == 0 : fileSaysNone)) {
            return;
        }
        String none = retries != null ? "--retries 0" : "retries: 0 (" + file + ":" + def.get().line("retries") + ")";
        String flag = retryDelay != null ? "--retry-delay" : retryMaxDelay != null ? "--retry-max-delay"
                : retryJitter != null ? "--retry-jitter" : null;
        String why = ", as no attempt is retried; drop it, or allow retries";
        if (flag != null) {
            throw new UsageException(flag + ": has no effect with " + none + why);
        }
        if (fileSaysNone && def.get().line("retry") > 0) {
            throw new UsageException(file + ":" + def.get().line("retry") + ": retry: has no effect with retries: 0 "
                    + "(line " + def.get().line("retries") + ")" + why);
        }
    }

    /** The file's retry settings (or the defaults) with the retry flags over them. */
    private RetrySettings retrySettings(RetrySettings base, String file) throws UsageException {
        if (!retryFlagsGiven()) {
            return base;
        }
        Duration delay = retryDelay != null ? retryDelay : base.delay();
        Duration maxDelay = retryMaxDelay != null ? retryMaxDelay : base.maxDelay();
        if (delay.compareTo(maxDelay) > 0) {
            if (retryDelay != null && retryMaxDelay != null) {
                throw new UsageException("--retry-delay: must not exceed --retry-max-delay ("
                        + Durations.format(maxDelay) + "), was " + Durations.format(delay));
            }
            if (retryDelay != null) {
                throw new UsageException("--retry-delay: must not exceed the longest delay ("
                        + Durations.format(maxDelay) + origin(base.maxDelay(), RetrySettings.DEFAULT.maxDelay(), file)
                        + "), was " + Durations.format(delay) + "; raise that with --retry-max-delay");
            }
            throw new UsageException("--retry-max-delay: must be at least the first delay ("
                    + Durations.format(delay) + origin(base.delay(), RetrySettings.DEFAULT.delay(), file)
                    + "), was " + Durations.format(maxDelay) + "; lower that with --retry-delay");
        }
        RetrySettings.Builder r = base.toBuilder();
        set("--retries", () -> {
            if (retries != null) {
                r.maxAttempts(retries + 1);
            }
        });
        set("--retry-delay", () -> r.delay(delay));
        set("--retry-max-delay", () -> r.maxDelay(maxDelay));
        set("--retry-jitter", () -> {
            if (retryJitter != null) {
                r.jitter(retryJitter);
            }
        });
        RetrySettings[] built = new RetrySettings[1];
        set("retry flags", () -> built[0] = r.build());
        return built[0];
    }

    private static String origin(Duration value, Duration byDefault, String file) {
        return file != null && !value.equals(byDefault) ? " from " + file : " by default";
    }

    // --- the run ---

    private int execute(Plan plan, Interruptions interruptions) throws UsageException, InterruptedException {
        PrintStream originalErr = System.err;
        boolean stdoutIsTerminal = Terminal.stdoutIsTerminal();
        boolean table = output != null ? output == Output.table : stdoutIsTerminal;
        // The bar goes wherever stderr is a terminal; with results on the same terminal, they share it (below).
        boolean showProgress = !quiet && Terminal.stderrIsTerminal();
        SharedStderr shared = showProgress ? new SharedStderr(originalErr) : null;
        PrintStream err = shared != null ? shared.others() : originalErr;

        RunningAttempts running = new RunningAttempts();
        plan.builder().listener(running);
        // A run is recorded when it starts, at its first task: one that ends before has nothing saved to name.
        AtomicBoolean recorded = new AtomicBoolean();
        plan.builder().listener(new WorkflowListener() {
            @Override
            public void runStarted(RunInfo run) {
                recorded.set(true);
            }
        });
        if (plan.total() >= 0) {
            // So that the store counts what a run cut short never read from its inputs as pending.
            plan.builder().expectedTasks(plan.total());
        }
        MultiProcessWorkflow workflow;
        boolean storeExisted = plan.store() != null && Files.exists(plan.store().file());
        try {
            workflow = interruptions.attach(plan.builder()::build, plan.grace(), err, running, plan.tasks()::stop);
        } catch (StoreOpenException e) {
            throw plan.store() != null ? plan.store().refused(e, storeExisted) : new UsageException(e.getMessage());
        } catch (MpflowException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        AtomicBoolean closed = new AtomicBoolean();
        // Only for exits other than INT and TERM (such as SIGHUP): save what finished, print nothing.
        Thread lastResort = new Thread(() -> {
            if (closed.compareAndSet(false, true)) {
                workflow.close();
            }
        }, "mpflow-exit");
        Runtime.getRuntime().addShutdownHook(lastResort);

        // UTF-8 whatever the locale says: results are data, and JSON is UTF-8. On the bar's terminal, each result
        // clears the bar's line first, and the bar is drawn again below it.
        OutputStream results = shared != null && stdoutIsTerminal ? shared.sameTerminal(System.out) : System.out;
        PrintStream out = new PrintStream(results, false, StandardCharsets.UTF_8);
        ResultPrinter printer = table ? new TablePrinter(out, Terminal.width()) : new JsonLinesPrinter(out);
        ProgressView progress = null;
        AtomicBoolean outputClosed = new AtomicBoolean();
        RunSummary summary;
        Optional<String> haltReason;
        Optional<RuntimeException> inputFailure;
        boolean haltedByInput;
        try {
            if (shared != null) {
                System.setErr(err);
                progress = new ProgressView(shared, plan.total(), Terminal.width());
                if (plan.total() < 0) {
                    // Streamed input: one result per task, so the total is known once the input has ended.
                    plan.tasks().whenEnded(progress::total);
                }
            }
            ProgressView bar = progress;
            Consumer<TaskResult> onResult = r -> {
                // Tasks not run now (done earlier, or left out by --retry-failed) are counted, not printed.
                if (!outputClosed.get() && !r.fromEarlierRun() && r.status() != TaskStatus.SKIPPED) {
                    printer.print(r);
                    if (printer.failed()) {
                        // The reader is gone (| head): stop at once, as GNU parallel does, and say so.
                        outputClosed.set(true);
                        interruptions.stopNow(Main.STDOUT_CLOSED);
                    }
                }
                if (bar != null) {
                    bar.step();
                }
            };
            if (plan.streamed()) {
                new StreamingRun(workflow, plan.tasks(), plan.window()).run(keepOrder, onResult);
            } else if (keepOrder) {
                workflow.runAll(plan.tasks(), plan.mode()).forEach(onResult);
            } else {
                workflow.runAll(plan.tasks(), plan.mode(), onResult);
            }
            summary = workflow.summary();
            inputFailure = plan.tasks().failure();
            // Some tasks ran before the input that cannot be one: the run stopped there and is recorded as halted
            // with that reason, so that --resume can go on from it once the input is fixed. Had none started, the
            // run would not have begun at all: a plain usage error.
            haltedByInput = inputFailure.isPresent() && summary.total() + summary.skipped() + summary.leftOut() > 0;
            if (haltedByInput) {
                workflow.halt(describeInputFailure(inputFailure.get())
                        + "; the run stopped there and read no input after it");
            }
            haltReason = workflow.haltReason();
        } finally {
            if (closed.compareAndSet(false, true)) {
                workflow.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(lastResort);
            } catch (IllegalStateException e) {
                // The JVM is exiting already; the hook found the workflow closed.
            }
            if (progress != null) {
                progress.close();
            }
            printer.close();
            System.setErr(originalErr);
        }
        if (inputFailure.isPresent() && !haltedByInput && !interruptions.interrupted()) {
            // Nothing ran and nothing was recorded: a usage error, said in its one line.
            originalErr.println("mpflow: " + secrets.mask(describeInputFailure(inputFailure.get())));
            originalErr.flush();
            return ExitCode.USAGE;
        }
        if (inputFailure.isPresent() && !haltedByInput) {
            originalErr.println("mpflow: " + secrets.mask(describeInputFailure(inputFailure.get())));
        }
        // Tasks the run never took (it stopped first) have no result; say how many when the total is known.
        long notStarted = plan.total() >= 0
                ? plan.total() - summary.total() - summary.skipped() - summary.leftOut() : 0;
        originalErr.println("mpflow: " + secrets.mask(summaryLine(summary)
                + (notStarted > 0 ? "; " + notStarted + " not started" : "")
                + workflow.store().filter(s -> recorded.get()).map(s -> "; run " + workflow.runId() + " saved in " + s)
                        .orElse("")));
        boolean haltedByPolicy = haltReason.isPresent() && !interruptions.stoppedTheRun();
        if (haltedByPolicy) {
            originalErr.println("mpflow: halted: " + secrets.mask(haltReason.get())
                    + (haltedByInput && workflow.store().isPresent() && recorded.get()
                            ? "; fix it, then go on with --resume " + workflow.runId() : ""));
        }
        originalErr.flush();
        if (interruptions.interrupted()) {
            return ExitCode.INTERRUPTED;
        }
        if (inputFailure.isPresent() && !haltedByInput) {
            return ExitCode.USAGE;
        }
        // Results that could not be written are lost to the reader, however the tasks went.
        return outputClosed.get() || haltedByPolicy || summary.failed() > 0 || summary.cancelled() > 0
                ? ExitCode.TASKS_FAILED : ExitCode.OK;
    }

    private static String describeInputFailure(RuntimeException e) {
        if (e instanceof InputLineException) {
            return e.getMessage();
        }
        if (e instanceof UncheckedIOException u) {
            return "cannot read the inputs: " + (u.getMessage() != null ? u.getMessage() : u.getCause().getMessage());
        }
        return "cannot read the inputs: " + e;
    }

    static String summaryLine(RunSummary s) {
        return s.succeeded() + " succeeded, " + s.failed() + " failed, "
                + (s.cancelled() > 0 ? s.cancelled() + " cancelled, " : "")
                + (s.skipped() > 0 ? s.skipped() + " skipped (done earlier), " : "")
                + (s.leftOut() > 0 ? s.leftOut() + " skipped (not in the run), " : "") + s.retried() + " retried in "
                + String.format("%.1fs", s.wallTime().toMillis() / 1000.0);
    }

    private void setLogLevel() {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(quiet ? Level.ERROR : verbose ? Level.INFO : Level.WARN);
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getTurboFilterList().stream().noneMatch(f -> f instanceof HaltLogFilter)) {
            HaltLogFilter filter = new HaltLogFilter();
            filter.start();
            context.addTurboFilter(filter);
        }
    }
}
