import CommandLineKit
import Executor
import Foundation
import Ledger
import Rules
import ThreadsAPI

/// Changes one thread's metadata by hand (`tag`, `untag`), recorded as a manual action.
///
/// The API's modify call replaces the whole metadata, so the thread is read first and the
/// change merged into what it has now; the result is checked against the limits before the
/// intent is written and the modify is sent. The read-only probe goes first, and the change
/// counts only when the answer shows exactly the metadata sent (a provider that merges
/// instead of replacing fails the action, and the ledger keeps what the API answered).
struct MetadataChange {
    var action: String
    var threadID: String
    var commandLine: String
    /// `--object`, nil to go by the ledger's row or the id's prefix.
    var object: ObjectKind?
    var change: @Sendable ([String: String]) -> [String: String]

    func run(_ context: CommandContext, baseURL: String?, json: Bool) async throws -> ExitCode {
        try ThreadID.validate(threadID)
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let ledger = try context.openLedger(configured: configuration.ledgerPath.value)
        let known = try ledger.thread(id: threadID)
        let kind = ObjectChoice.kind(of: threadID, stated: object, known: known)
        try ObjectChoice.checkServed(kind, by: client)
        try await ObjectChoice.probe(kind, by: client)
        let current = try await client.retrieve(APIObjectKind(kind), threadID, expectingLive: known?.state == .live).value
        let wanted = change(current.metadata)
        if wanted == current.metadata {
            context.print(json ? try APICommandSupport.json(current) : "\(threadID): unchanged (\(APICommandSupport.describe(wanted)))")
            return .success
        }
        try MetadataLimits.validate(wanted)
        let run = try ManualRun.begin(ledger, commandLine: commandLine, matched: 1, logger: context.makeLogger())
        let reason = "manual: \(action) " + APICommandSupport.describe(wanted)
        guard let actionID = try run.intend([ActionIntent(threadID: threadID, action: action, reason: reason, object: kind)]).first else {
            preconditionFailure("recordIntents returned no id for one intent")
        }
        let modified: APIResponse<ThreadObject>
        do {
            modified = try await client.modify(APIObjectKind(kind), threadID, metadata: wanted)
        } catch let error as APIError {
            let gone = error.isNotFound
            try run.settle([
                ActionSettlement(
                    actionID: actionID, outcome: gone ? .gone : .failed, httpStatus: error.status, requestID: error.requestID,
                    attempts: error.attempts, error: gone ? nil : error.description, threadState: gone ? .gone : nil)
            ])
            try run.finish(error.isUnavailable ? .aborted : .completed)
            throw error
        }
        guard modified.value.metadata == wanted else {
            let message =
                "the api answered metadata other than what was sent (the provider merges metadata instead of replacing it): sent "
                + APICommandSupport.describe(wanted) + "; answered " + APICommandSupport.describe(modified.value.metadata)
            try run.settle([
                ActionSettlement(
                    actionID: actionID, outcome: .failed, httpStatus: modified.status, requestID: modified.requestID,
                    attempts: modified.attempts, error: message, metadata: modified.value.metadata,
                    createdAt: modified.value.createdAt)
            ])
            try run.finish(.completed)
            throw APIError(
                kind: .unconfirmed, status: modified.status, message: message, requestID: modified.requestID,
                attempts: modified.attempts, operation: "POST \(APIObjectKind(kind).collection)/\(threadID)")
        }
        try run.settle([
            ActionSettlement(
                actionID: actionID, outcome: .ok, httpStatus: modified.status, requestID: modified.requestID,
                attempts: modified.attempts, metadata: modified.value.metadata, createdAt: modified.value.createdAt)
        ])
        try run.finish(.completed)
        context.print(
            json
                ? try APICommandSupport.json(modified.value)
                : "\(threadID): \(APICommandSupport.describe(modified.value.metadata))")
        return .success
    }
}
