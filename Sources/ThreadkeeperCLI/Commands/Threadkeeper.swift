import CommandLineKit
import ThreadsAPI

/// The `threadkeeper` tool: its commands in the order `--help` lists them.
public enum Threadkeeper {
    public static let commands: [any ParsableCommand<CommandContext>.Type] = [
        PathsCommand.self,
        ImportCommand.self,
        ExportCommand.self,
        StatusCommand.self,
        MetricsCommand.self,
        BackupCommand.self,
        AuditCommand.self,
        CalendarCommand.self,
        CheckCommand.self,
        RulesCommand.self,
        ExplainCommand.self,
        ShowConfigCommand.self,
        DoctorCommand.self,
        PlanCommand.self,
        RunCommand.self,
        ArchiveShowCommand.self,
        DaemonCommand.self,
        CreateCommand.self,
        GetCommand.self,
        TagCommand.self,
        UntagCommand.self,
        DeleteCommand.self,
        SyncCommand.self,
    ]

    public static let tool = CommandLineTool(
        name: "threadkeeper", version: ThreadkeeperVersion.current,
        abstract: "Keep the threads of an OpenAI-compatible Threads API under control.",
        discussion: """
            threadkeeper keeps the inventory of threads in a SQLite ledger, applies retention \
            rules on a schedule or on demand, calls the API in rate-limited batches, and leaves \
            an audit trail.
            """,
        commands: commands,
        examples: [
            ("threadkeeper import ids.txt && threadkeeper sync", "learn threads, then their created_at and metadata"),
            ("threadkeeper check", "validate the config and every rule file"),
            ("threadkeeper plan support-30d", "what a rule would do now, without calling the API"),
            ("threadkeeper run support-30d --dry-run", "record a run without calling the API"),
            ("systemctl start threadkeeper-run@support-30d", "one run as the service, waiting until it ends"),
            ("threadkeeper explain thread_abc123", "why each rule does or does not touch a thread"),
        ], exitCodes: exitCodes)

    /// Every exit code of the tool, for its `--help`.
    static let exitCodes: [(code: ExitCode, meaning: String)] = [
        (.success, "success"),
        (.failure, "some of the work failed"),
        (.refused, "a run refused or aborted by a guard or the breaker"),
        (.usage, "bad usage: unknown command or option, missing or bad value"),
        (.dataError, "a bad rule, config or input file"),
        (.noInput, "an input file is missing or unreadable"),
        (.unavailable, "the API is unavailable (wrong key, wrong base URL, provider down)"),
        (.ioError, "an I/O error: unreadable, corrupt or full ledger"),
        (.temporaryFailure, "temporary failure: a lock is held by another run"),
        (.noPermission, "not as this user: root writing the service's ledger (run it as the service's user)"),
        (.interrupted, "interrupted by SIGINT"),
        (.terminated, "stopped by SIGTERM"),
    ]
}
