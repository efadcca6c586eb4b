import CommandLineKit
import Foundation
import JSON
import Ledger
import Schedule

/// `threadkeeper audit`: the action log, and proof that it was not altered.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the action log newest first, or verify its hash chain.",
        discussion: """
            Every action threadkeeper took or meant to take, with the rule and run that chose it, why \
            (the reason), and what happened (outcome, HTTP status, request id, error). Output is a \
            table, JSON lines (--json) or CSV (--csv); filters combine. T is a systemd timestamp: \
            2026-01-31, '2026-01-31 12:00 UTC', @1767225600, yesterday, -30d.
            --verify walks the ledger's hash chain oldest first (every run's record and end, every \
            intent and outcome, in the order written; docs/AUDIT.md), recomputes every row's hash \
            and its link to the row before, checks that no run or action lacks its row, and names \
            the first row that was altered, inserted or follows a removed one. It also checks the \
            per-action links (actions.prev_hash, actions.hash) and says where a ledger made before \
            schema 3 was taken over. Each finished run writes the chain head to the journal; \
            --verify looks up the newest for this ledger file and fails when the chain no longer \
            has that row with that hash (rows cut from the end, or the chain rewritten). --head \
            HASH checks a head kept elsewhere the same way.
            """,
        options: [
            OptionSpec("--rule", value: "RULE", help: "Only actions of runs of this rule."),
            OptionSpec("--run", value: "ID", help: "Only actions of this run."),
            OptionSpec("--thread", value: "ID", help: "Only actions on this thread."),
            OptionSpec("--since", value: "T", help: "Only actions intended at or after T."),
            OptionSpec("--until", value: "T", help: "Only actions intended before T."),
            OptionSpec("--limit", value: "N", help: "At most N actions."),
            OptionSpec.flag("--json", help: "Print JSON lines, one action each."),
            OptionSpec.flag("--csv", help: "Print CSV with a header line."),
            OptionSpec.flag("--verify", help: "Verify the hash chain of the whole log instead of listing it."),
            OptionSpec("--head", value: "HASH", help: "With --verify: a chain head kept elsewhere that the chain must contain."),
            OptionSpec(
                "--journal-directory", value: "DIR",
                help: "With --verify: read chain heads from the journal files in DIR instead of this machine's journal."),
            OptionSpec.flag("--no-journal", help: "With --verify: do not look for the last chain head in the journal."),
        ],
        examples: [
            ("threadkeeper audit --thread thread_abc123", "every action on one thread, newest first")
        ],
        exitCodes: [
            (.success, "success; with --verify, the chain is intact"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "--verify found an altered, inserted or removed row, or a head the chain no longer has"),
            (.noInput, "there is no ledger at the path"),
            (.ioError, "the ledger is unreadable or corrupt"),
        ])

    var filter: AuditFilter
    var sinceText: String?
    var untilText: String?
    var json: Bool
    var csv: Bool
    var verify: Bool
    var head: String?
    var journalDirectory: String?
    var readJournal: Bool

    init(arguments: ParsedArguments) throws {
        filter = AuditFilter(rule: arguments.value("--rule"), threadID: arguments.value("--thread"))
        if let run = arguments.value("--run") {
            guard let id = Int64(run), id > 0 else {
                throw UsageError("option '--run' expects a run id (a positive number), got '\(run)'", command: "threadkeeper audit")
            }
            filter.runID = id
        }
        filter.limit = try arguments.integer("--limit", minimum: 1)
        sinceText = arguments.value("--since")
        untilText = arguments.value("--until")
        json = arguments.flag("--json")
        csv = arguments.flag("--csv")
        verify = arguments.flag("--verify")
        head = arguments.value("--head")
        journalDirectory = arguments.value("--journal-directory")
        readJournal = !arguments.flag("--no-journal")
    }

    func validate() throws {
        if json && csv { throw UsageError("--json and --csv exclude each other", command: "threadkeeper audit") }
        if !verify, head != nil || journalDirectory != nil || !readJournal {
            throw UsageError("--head, --journal-directory and --no-journal go with --verify", command: "threadkeeper audit")
        }
        if let head, head.utf8.count != 64 || !head.utf8.allSatisfy({ $0 < 128 && Character(Unicode.Scalar($0)).isHexDigit }) {
            throw UsageError(
                "option '--head' expects a chain head (64 hexadecimal digits, as --verify prints it), got '\(head)'",
                command: "threadkeeper audit")
        }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let ledger = try context.openLedger(readOnly: true)
        if verify { return try runVerify(ledger, context) }
        var filter = filter
        filter.since = try sinceText.map { try Self.time($0, option: "--since", now: ledger.now()) }
        filter.until = try untilText.map { try Self.time($0, option: "--until", now: ledger.now()) }
        if csv { context.print(Self.csvHeader) } else if !json { context.print(Self.tableHeader) }
        try ledger.forEachAuditEntry(filter) { entry in
            context.print(json ? Self.jsonLine(entry) : csv ? Self.csvLine(entry) : Self.tableLine(entry))
        }
        return .success
    }

    private func runVerify(_ ledger: Ledger, _ context: CommandContext) throws -> ExitCode {
        var expected: [ExpectedHead] = []
        if let head { expected.append(ExpectedHead(source: "--head", hash: head)) }
        var journalNote: String?
        if readJournal {
            switch AuditJournal.lastHead(ledger: ledger.resolvedPath, directory: journalDirectory) {
            case .found(let head): expected.append(head)
            case .none(let why), .unreadable(let why): journalNote = why
            }
        }
        let result = try ledger.verifyAudit(expecting: expected)
        context.print(
            json ? AuditVerifyReport.json(result, journalNote: journalNote) : AuditVerifyReport.text(result, journalNote: journalNote))
        return result.isIntact ? .success : .dataError
    }

    static func time(_ text: String, option: String, now: Int64) throws -> Int64 {
        do {
            return try Timestamp.parse(text, now: now)
        } catch {
            throw UsageError("option '\(option)': \(error)", command: "threadkeeper audit")
        }
    }

    static let csvHeader =
        "id,run_id,rule,dry_run,thread_id,action,reason,intent_at,outcome,http_status,request_id,attempts,error,settled_at,prev_hash,hash,object"

    static func csvLine(_ entry: AuditEntry) -> String {
        let a = entry.action
        let fields: [String] = [
            String(a.id), String(a.runID), CSV.field(entry.rule), entry.dryRun ? "1" : "0", CSV.field(a.threadID),
            CSV.field(a.action), CSV.field(a.reason), String(a.intentAt), a.outcome?.rawValue ?? "",
            a.httpStatus.map(String.init) ?? "", CSV.field(a.requestID ?? ""), String(a.attempts), CSV.field(a.error ?? ""),
            a.settledAt.map(String.init) ?? "", a.prevHash, a.hash, a.kind.rawValue,
        ]
        return fields.joined(separator: ",")
    }

    static func jsonLine(_ entry: AuditEntry) -> String {
        let a = entry.action
        func text(_ value: String?) -> String { value.map(JSONWriter.quoted) ?? "null" }
        func number<N: BinaryInteger>(_ value: N?) -> String { value.map { "\($0)" } ?? "null" }
        return "{\"id\":\(a.id),\"run_id\":\(a.runID),\"rule\":\(text(entry.rule)),\"dry_run\":\(entry.dryRun),"
            + "\"thread_id\":\(text(a.threadID)),\"action\":\(text(a.action)),\"reason\":\(text(a.reason)),"
            + "\"intent_at\":\(a.intentAt),\"outcome\":\(text(a.outcome?.rawValue)),\"http_status\":\(number(a.httpStatus)),"
            + "\"request_id\":\(text(a.requestID)),\"attempts\":\(a.attempts),\"error\":\(text(a.error)),"
            + "\"settled_at\":\(number(a.settledAt)),\"prev_hash\":\"\(a.prevHash)\",\"hash\":\"\(a.hash)\","
            + "\"object\":\"\(a.kind.rawValue)\"}"
    }

    static let tableHeader = row(["ID", "TIME (UTC)", "RULE", "RUN", "THREAD", "ACTION", "OUTCOME", "HTTP", "REASON / ERROR"])

    static func tableLine(_ entry: AuditEntry) -> String {
        let a = entry.action
        var detail = a.reason
        if let error = a.error { detail += " — \(error)" }
        let time = String(TimeFormatting.utc(a.intentAt).dropLast(4))
        return row([
            // A create's intent has no thread yet; its outcome (`created thread_…`) names it.
            String(a.id), time, entry.rule + (entry.dryRun ? " (dry)" : ""), String(a.runID),
            a.threadID.isEmpty ? "(new)" : a.threadID, a.action,
            a.outcome?.rawValue ?? "open", a.httpStatus.map(String.init) ?? "-", detail,
        ])
    }

    private static let widths = [6, 19, 20, 5, 30, 7, 7, 4]

    private static func row(_ cells: [String]) -> String {
        var out = ""
        for (index, cell) in cells.enumerated() {
            guard index < widths.count else {
                out += cell
                break
            }
            let width = widths[index]
            let shown = cell.count > width ? String(cell.prefix(width - 1)) + "…" : cell
            out += shown.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
        }
        return out
    }
}
