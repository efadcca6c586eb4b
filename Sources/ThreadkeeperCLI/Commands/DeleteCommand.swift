import Foundation
import Ledger
import ThreadsAPI

/// `threadkeeper delete ID…`: delete threads by hand, recorded like a rule's actions.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete threads by id (a manual run, recorded in the ledger's actions).",
        discussion: """
            Every id is checked first; then one manual run is recorded with an intent per thread, \
            durable before any call, and each outcome after its call: ok (deleted), gone (the API \
            answered 404: already deleted elsewhere) or failed. Calls share the configured rate \
            limit. If the breaker opens (wrong key, wrong base URL, provider down), the threads \
            not yet sent are recorded as skipped and the command exits 69.
            """,
        options: [
            OptionSpec.flag("--json", help: "Print one JSON object per thread."),
            APIOptions.baseURL,
        ],
        positionals: [PositionalSpec("ID", variadic: true, help: "Thread ids to delete.")],
        exitCodes: [
            (.success, "every thread is deleted or was already gone"),
            (.failure, "some deletions failed; the others were done"),
            (.usage, "bad usage: unknown option, missing or bad value"),
            (.dataError, "a bad thread id or config file (nothing was sent)"),
            (.unavailable, "the API is unavailable (no or wrong key, wrong base URL, provider down)"),
            (.ioError, "the ledger cannot be written"),
        ])

    var ids: [String]
    var json: Bool
    var baseURL: String?

    init(arguments: ParsedArguments) throws {
        ids = arguments.positionals
        json = arguments.flag("--json")
        baseURL = arguments.value("--base-url")
    }

    private struct Result: Sendable {
        var index: Int
        var actionID: Int64
        var outcome: ActionOutcome
        var settlement: ActionSettlement
        var error: APIError?
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let ids = try APICommandSupport.validIDs(self.ids)
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let ledger = try context.openLedger(configured: configuration.ledgerPath.value)
        let live = try Set(ids.filter { try ledger.thread(id: $0)?.state == .live })
        let run = try ManualRun.begin(
            ledger, commandLine: (["threadkeeper", "delete"] + ids).joined(separator: " "), matched: ids.count,
            logger: context.makeLogger())
        let actionIDs = try run.intend(
            ids.map { ActionIntent(threadID: $0, action: "delete", reason: "manual: threadkeeper delete") })
        let progress = ProgressBar(label: "delete", total: ids.count, output: context.standardError)
        var results: [Result] = []
        results.reserveCapacity(ids.count)
        try await withThrowingTaskGroup(of: Result.self) { group in
            for (index, id) in ids.enumerated() {
                let actionID = actionIDs[index]
                group.addTask {
                    await Self.delete(id, index: index, actionID: actionID, expectingLive: live.contains(id), client: client)
                }
            }
            var pending: [ActionSettlement] = []
            for try await result in group {
                results.append(result)
                pending.append(result.settlement)
                progress.advance()
                if pending.count >= 100 {
                    try run.settle(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            try run.settle(pending)
        }
        progress.finish()
        results.sort { $0.index < $1.index }
        let failures = results.compactMap(\.error)
        let breakerOpened = failures.contains { if case .breakerOpen = $0.kind { return true } else { return false } }
        try run.finish(breakerOpened ? .aborted : .completed)
        for result in results {
            let id = ids[result.index]
            if json {
                var object: [String: Any] = [
                    "id": id, "outcome": result.outcome.rawValue, "attempts": result.settlement.attempts,
                    "action_id": result.actionID,
                ]
                if let status = result.settlement.httpStatus { object["http_status"] = status }
                if let requestID = result.settlement.requestID { object["request_id"] = requestID }
                if let error = result.settlement.error { object["error"] = error }
                context.print(try APICommandSupport.json(object))
            } else {
                switch result.outcome {
                case .ok: context.print("deleted \(id)")
                case .gone: context.print("gone    \(id) (already deleted: the API answered 404)")
                case .skipped, .failed:
                    context.print(
                        "\(result.outcome.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(id): \(result.settlement.error ?? "")"
                    )
                }
            }
        }
        if let breaker = failures.first(where: { if case .breakerOpen = $0.kind { return true } else { return false } }) {
            context.warn(breaker.message)
        }
        return APICommandSupport.exitCode(failures: failures)
    }

    private static func delete(
        _ id: String, index: Int, actionID: Int64, expectingLive: Bool, client: ThreadsClient
    ) async -> Result {
        do {
            let response = try await client.deleteThread(id, expectingLive: expectingLive)
            let outcome: ActionOutcome = response.value == .deleted ? .ok : .gone
            let settlement = ActionSettlement(
                actionID: actionID, outcome: outcome, httpStatus: response.status, requestID: response.requestID,
                attempts: response.attempts, threadState: response.value == .deleted ? .deleted : .gone)
            return Result(index: index, actionID: actionID, outcome: outcome, settlement: settlement)
        } catch {
            let apiError =
                error as? APIError ?? APIError(kind: .transport(.other), message: String(describing: type(of: error)))
            var outcome = ActionOutcome.failed
            if case .breakerOpen = apiError.kind, apiError.attempts == 0 { outcome = .skipped }
            let settlement = ActionSettlement(
                actionID: actionID, outcome: outcome, httpStatus: apiError.status, requestID: apiError.requestID,
                attempts: apiError.attempts, error: apiError.description)
            return Result(index: index, actionID: actionID, outcome: outcome, settlement: settlement, error: apiError)
        }
    }
}
