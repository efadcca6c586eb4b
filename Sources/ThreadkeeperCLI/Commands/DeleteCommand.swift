import CommandLineKit
import Executor
import Foundation
import JSON
import Ledger
import ThreadsAPI

/// `threadkeeper delete ID…`: delete threads by hand, recorded like a rule's actions.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete threads by id (a manual run, recorded in the ledger's actions).",
        discussion: """
            Every id is checked first, and the command asks for confirmation on a terminal; \
            without one it needs --yes. A read-only probe then checks that the API answers an \
            id that cannot exist with its not-found answer (exit 69 otherwise, nothing sent). \
            One manual run is recorded with an intent per thread, durable before any call. Each \
            thread is read first: one under a hold (the Hold= key in the ledger's copy or at the \
            API, whatever its value) is skipped unless --ignore-hold is given, which the \
            action's reason records. Each outcome follows its call: ok (the API answered \
            deleted: true for the id), gone (the provider's not-found answer: already deleted \
            elsewhere), skipped or failed (the answer quoted). Calls share the configured rate \
            limit. If the breaker opens (wrong key, provider down) or the answers are not the \
            Threads API's (wrong base URL), the threads not yet sent are recorded as skipped \
            and the command exits 69.
            """,
        options: [
            OptionSpec.flag("--json", help: "Print one JSON object per thread."),
            OptionSpec.flag("--yes", "-y", help: "Do not ask for confirmation (needed without a terminal)."),
            OptionSpec.flag("--ignore-hold", help: "Delete threads under a hold too; recorded in each action's reason."),
            ObjectChoice.option, APIOptions.baseURL,
        ],
        positionals: [PositionalSpec("ID", variadic: true, help: "Thread ids to delete.")],
        exitCodes: [
            (.success, "every thread is deleted or was already gone"),
            (.failure, "some deletions failed; the others were done"),
            (.refused, "some threads are under a hold and were left alone (see --ignore-hold)"),
            (.usage, "bad usage: unknown option, missing or bad value; without a terminal, --yes is needed"),
            (.dataError, "a bad thread id or config file (nothing was sent)"),
            (.unavailable, "the API is unavailable (no or wrong key, wrong base URL, provider down, a failed probe)"),
            (.ioError, "the ledger cannot be written"),
        ])

    var ids: [String]
    var json: Bool
    var yes: Bool
    var ignoreHold: Bool
    var baseURL: String?
    var object: ObjectKind?

    init(arguments: ParsedArguments) throws {
        ids = arguments.positionals
        object = try ObjectChoice.stated(arguments)
        json = arguments.flag("--json")
        yes = arguments.flag("--yes")
        ignoreHold = arguments.flag("--ignore-hold")
        baseURL = arguments.value("--base-url")
    }

    /// Why a thread is held, or nil: the hold key in the ledger's copy, or a copy that cannot be read.
    static func ledgerHold(_ record: ThreadRecord?, key: String) -> String? {
        guard let record else { return nil }
        if record.metadataUnreadable { return "the ledger's metadata of the thread cannot be parsed" }
        guard let value = record.metadata[key] else { return nil }
        return "held in the ledger (\(key)=\(value))"
    }

    private struct Result: Sendable {
        var index: Int
        var actionID: Int64
        var outcome: ActionOutcome
        var settlement: ActionSettlement
        var error: APIError?
        /// Left alone because of a hold.
        var held = false
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let ids = try APICommandSupport.validIDs(self.ids)
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let ledger = try context.openLedger(configured: configuration.ledgerPath.value)
        if !yes {
            guard isatty(STDIN_FILENO) == 1, context.standardError.isTerminal else {
                throw UsageError(
                    "delete removes threads for good; without a terminal to confirm on, pass --yes", command: "threadkeeper delete")
            }
            context.standardError.write("delete \(ids.count) thread\(ids.count == 1 ? "" : "s")? [y/N] ")
            context.standardError.flush()
            let answer = readLine(strippingNewline: true)?.lowercased()
            guard answer == "y" || answer == "yes" else {
                context.warn("not confirmed; nothing was deleted")
                return .success
            }
        }
        let hold = configuration.hold.value
        var live = Set<String>()
        var heldInLedger: [String: String] = [:]
        var kinds: [ObjectKind] = []
        for id in ids {
            let record = try ledger.thread(id: id)
            if record?.state == .live { live.insert(id) }
            if let why = Self.ledgerHold(record, key: hold) { heldInLedger[id] = why }
            kinds.append(ObjectChoice.kind(of: id, stated: object, known: record))
        }
        for kind in Set(kinds).sorted() { try ObjectChoice.checkServed(kind, by: client) }
        for kind in Set(kinds).sorted() { try await ObjectChoice.probe(kind, by: client) }
        let command = ["threadkeeper", "delete"] + (ignoreHold ? ["--ignore-hold"] : []) + ids
        let run = try ManualRun.begin(
            ledger, commandLine: command.joined(separator: " "), matched: ids.count, logger: context.makeLogger())
        let reason =
            ignoreHold ? "manual: threadkeeper delete --ignore-hold (holds overridden by hand)" : "manual: threadkeeper delete"
        let actionIDs = try run.intend(
            ids.indices.map { ActionIntent(threadID: ids[$0], action: "delete", reason: reason, object: kinds[$0]) })
        let holdKey: String? = ignoreHold ? nil : hold
        let progress = ProgressBar(label: "delete", total: ids.count, output: context.standardError)
        var results: [Result] = []
        results.reserveCapacity(ids.count)
        try await withThrowingTaskGroup(of: Result.self) { group in
            for (index, id) in ids.enumerated() {
                let actionID = actionIDs[index]
                let ledgerHold = holdKey == nil ? nil : heldInLedger[id]
                let expectingLive = live.contains(id)
                let kind = APIObjectKind(kinds[index])
                group.addTask {
                    await Self.delete(
                        id, kind: kind, index: index, actionID: actionID, expectingLive: expectingLive, hold: holdKey,
                        ledgerHold: ledgerHold, client: client)
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
        try run.finish(breakerOpened || failures.contains { $0.kind == .notTheAPI } ? .aborted : .completed)
        for result in results {
            let id = ids[result.index]
            if json {
                var object: [String: JSONValue] = [
                    "id": .init(id), "outcome": .init(result.outcome.rawValue), "attempts": .init(result.settlement.attempts),
                    "action_id": .init(result.actionID),
                ]
                if let status = result.settlement.httpStatus { object["http_status"] = .init(status) }
                if let requestID = result.settlement.requestID { object["request_id"] = .init(requestID) }
                if let error = result.settlement.error { object["error"] = .init(error) }
                context.print(APICommandSupport.json(object))
            } else {
                switch result.outcome {
                case .ok: context.print("deleted \(id)")
                case .gone: context.print("gone    \(id) (already deleted: the API answered that no such thread exists)")
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
        let exit = APICommandSupport.exitCode(failures: failures)
        if exit == .success, results.contains(where: { $0.held }) { return .refused }
        return exit
    }

    /// Reads the thread, leaves it alone when held (`hold` nil: holds overridden), then deletes it.
    private static func delete(
        _ id: String, kind: APIObjectKind, index: Int, actionID: Int64, expectingLive: Bool, hold: String?, ledgerHold: String?,
        client: ThreadsClient
    ) async -> Result {
        if let ledgerHold {
            let settlement = ActionSettlement(
                actionID: actionID, outcome: .skipped, attempts: 0, error: "\(ledgerHold); --ignore-hold overrides it")
            return Result(index: index, actionID: actionID, outcome: .skipped, settlement: settlement, held: true)
        }
        do {
            let fresh: APIResponse<ThreadObject>
            do {
                fresh = try await client.retrieve(kind, id, expectingLive: expectingLive)
            } catch let error as APIError where error.isNotFound {
                let settlement = ActionSettlement(
                    actionID: actionID, outcome: .gone, httpStatus: 404, requestID: error.requestID, attempts: error.attempts,
                    threadState: .gone)
                return Result(index: index, actionID: actionID, outcome: .gone, settlement: settlement)
            }
            if let hold, let value = fresh.value.metadata[hold] {
                let settlement = ActionSettlement(
                    actionID: actionID, outcome: .skipped, httpStatus: fresh.status, requestID: fresh.requestID, attempts: 0,
                    error: "held at the api (\(hold)=\(value)); --ignore-hold overrides it", metadata: fresh.value.metadata,
                    createdAt: fresh.value.createdAt)
                return Result(index: index, actionID: actionID, outcome: .skipped, settlement: settlement, held: true)
            }
            let response = try await client.delete(kind, id, expectingLive: false)
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
