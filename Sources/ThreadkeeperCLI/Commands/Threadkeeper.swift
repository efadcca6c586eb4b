/// The `threadkeeper` tool: its commands in the order `--help` lists them.
public enum Threadkeeper {
    public static let commands: [any ParsableCommand.Type] = [
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
        name: "threadkeeper",
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
        ])
}
