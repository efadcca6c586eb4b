import CommandLineKit
import Foundation
import JSON
import Ledger
import Schedule
import ThreadsAPI

/// `threadkeeper sync`: refresh ledger rows from the API.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Refresh live ledger rows from the API: created_at, metadata, gone threads, last activity.",
        discussion: """
            GETs each live thread the ledger has never synced (or, with --stale-after SPAN, not \
            synced within SPAN; with --all, every live thread) and records its created_at (a \
            thread imported as a bare id has none until then, and no age rule matches it), its \
            metadata and last_synced; a 404 marks the row gone. With --activity it also reads each thread's \
            newest message into last_activity (its creation time when it has none). Calls share the configured rate limit. Rows are \
            saved as answers arrive, so an interrupted sync resumes where it stopped when run \
            again with the same --stale-after. Scattered 404s are normal; if most answers are \
            404 (a wrong base URL) or the key is refused, the breaker stops the sync (exit 69).
            """,
        options: [
            OptionSpec.flag("--all", help: "Sync every live row, however recently synced."),
            OptionSpec("--stale-after", value: "SPAN", help: "Sync rows not synced within SPAN (e.g. 7d, 12h)."),
            OptionSpec.flag("--activity", help: "Also read each thread's newest message into last_activity."),
            OptionSpec.flag("--json", help: "Print the summary as a JSON object."),
            ObjectChoice.option, APIOptions.baseURL,
        ],
        examples: [
            ("threadkeeper sync", "created_at, metadata and gone threads for every row never synced"),
            ("threadkeeper sync --stale-after 7d --activity", "rows not synced for a week, with their last activity"),
        ],
        exitCodes: [
            (.success, "every selected row was refreshed"),
            (.failure, "some rows could not be refreshed; the others were"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad config file"),
            (.unavailable, "the API is unavailable: no or wrong key, wrong base URL (breaker), provider down"),
            (.ioError, "the ledger cannot be written"),
        ])

    var all: Bool
    var staleAfter: TimeSpan?
    var activity: Bool
    var json: Bool
    var baseURL: String?
    var object: ObjectKind?

    init(arguments: ParsedArguments) throws {
        all = arguments.flag("--all")
        object = try ObjectChoice.stated(arguments)
        activity = arguments.flag("--activity")
        json = arguments.flag("--json")
        baseURL = arguments.value("--base-url")
        if let text = arguments.value("--stale-after") {
            do {
                staleAfter = try TimeSpan.parse(text)
            } catch {
                throw UsageError("option '--stale-after' expects a time span like 7d or 12h, got '\(text)'", command: arguments.commandPath)
            }
        }
    }

    func validate() throws {
        if all, staleAfter != nil {
            throw UsageError("give either --all or --stale-after, not both", command: "threadkeeper sync")
        }
    }

    /// What became of one row.
    private enum RowOutcome: Sendable {
        case live
        case gone
        case failed(APIError)
    }

    private struct Summary {
        var selected = 0
        var live = 0
        var gone = 0
        var failed = 0
        var stoppedBy: APIError?
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let ledger = try context.openLedger(configured: configuration.ledgerPath.value)
        var query = InventoryQuery.state(.live)
        if let object {
            try ObjectChoice.checkServed(object, by: client)
            query = query.and(.object(object))
        } else if let refusal = client.configuration.provider.threadsRefusal {
            // Rows of a kind the provider no longer serves are left as they are, and said so.
            query = query.and(.object(.conversation))
            let threads = try ledger.count(matching: InventoryQuery.state(.live).and(.object(.thread)))
            if threads > 0 { context.warn("warning: \(threads) live threads left unsynced: " + refusal) }
        }
        if !all {
            if let staleAfter {
                let cutoff = ledger.now() - staleAfter.microseconds / 1_000_000
                query = query.and(InventoryQuery(.syncedBefore(cutoff)))
            } else {
                query = query.and(InventoryQuery(.syncedBefore(nil)))
            }
        }
        var summary = Summary()
        summary.selected = try ledger.count(matching: query)
        let progress = ProgressBar(label: "sync", total: summary.selected, output: context.standardError)
        // Pages are read by position, not offset: rows synced meanwhile drop out of the query.
        var position: ThreadPosition?
        let pageSize = max(64, configuration.concurrency.value * 16)
        pages: while true {
            let page = try ledger.threads(matching: query, after: position, limit: pageSize)
            guard let last = page.last else { break }
            position = ThreadPosition(last)
            let outcomes = try await withThrowingTaskGroup(of: (String, RowOutcome).self) { group in
                for record in page {
                    group.addTask { (record.id, try await Self.refresh(record, client: client, ledger: ledger, activity: activity)) }
                }
                var outcomes: [(String, RowOutcome)] = []
                for try await outcome in group {
                    outcomes.append(outcome)
                    progress.advance()
                }
                return outcomes
            }
            for (_, outcome) in outcomes {
                switch outcome {
                case .live: summary.live += 1
                case .gone: summary.gone += 1
                case .failed(let error):
                    summary.failed += 1
                    if case .breakerOpen = error.kind { summary.stoppedBy = summary.stoppedBy ?? error }
                }
            }
            if summary.stoppedBy != nil { break pages }
        }
        progress.finish()
        if json {
            var object: [String: JSONValue] = [
                "selected": .init(summary.selected), "live": .init(summary.live), "gone": .init(summary.gone),
                "failed": .init(summary.failed),
            ]
            if let stopped = summary.stoppedBy { object["stopped"] = .init(stopped.message) }
            context.print(APICommandSupport.json(object))
        } else {
            context.print(
                "synced \(summary.live + summary.gone) of \(summary.selected) threads: \(summary.live) live, "
                    + "\(summary.gone) gone, \(summary.failed) failed")
        }
        if let stopped = summary.stoppedBy {
            context.warn(stopped.message)
            return .unavailable
        }
        return summary.failed > 0 ? .failure : .success
    }

    /// GETs one thread (and its newest message) and writes what the API said into its row.
    ///
    /// API failures become outcomes; a ledger that cannot be written throws and stops the sync.
    private static func refresh(_ record: ThreadRecord, client: ThreadsClient, ledger: Ledger, activity: Bool) async throws
        -> RowOutcome
    {
        let thread: ThreadObject
        var newest: Int64?
        do {
            thread = try await client.retrieve(APIObjectKind(record.object), record.id, expectingLive: true).value
            // Conversation items carry no time: a conversation's activity stays unknown.
            if activity, record.object == .thread {
                newest = try await client.newestMessageTime(threadID: record.id).value
            }
        } catch let error as APIError where error.isNotFound {
            // A 404 is an answer too: the row is confirmed gone as of now.
            try ledger.updateMetadata(threadID: record.id, metadata: record.metadata)
            _ = try ledger.markState(.gone, threadIDs: [record.id])
            return .gone
        } catch let error as APIError {
            return .failed(error)
        }
        // The API's created_at fills a thread imported without one (and corrects a wrong one).
        try ledger.updateMetadata(threadID: record.id, metadata: thread.metadata, createdAt: thread.createdAt)
        // A thread without messages has been idle since it was created.
        if activity, record.object == .thread { try ledger.setLastActivity(threadID: record.id, at: newest ?? thread.createdAt) }
        return .live
    }
}
