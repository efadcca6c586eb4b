import Foundation
import Ledger
import Rules
import ThreadsAPI

/// Changes one thread's metadata by hand (`tag`, `untag`), recorded as a manual action.
///
/// The API's modify call replaces the whole metadata, so the thread is read first and the
/// change merged into what it has now; the result is checked against the limits before the
/// intent is written and the modify is sent.
struct MetadataChange {
    var action: String
    var threadID: String
    var commandLine: String
    var change: @Sendable ([String: String]) -> [String: String]

    func run(_ context: CommandContext, baseURL: String?, json: Bool) async throws -> ExitCode {
        try ThreadID.validate(threadID)
        let configuration = try context.loadConfiguration()
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let ledger = try context.openLedger(configured: configuration.ledgerPath.value)
        let known = try ledger.thread(id: threadID)
        let current = try await client.retrieveThread(threadID, expectingLive: known?.state == .live).value
        let wanted = change(current.metadata)
        if wanted == current.metadata {
            context.print(json ? try APICommandSupport.json(current) : "\(threadID): unchanged (\(APICommandSupport.describe(wanted)))")
            return .success
        }
        try MetadataLimits.validate(wanted)
        let run = try ManualRun.begin(ledger, commandLine: commandLine, matched: 1, logger: context.makeLogger())
        let reason = "manual: \(action) " + APICommandSupport.describe(wanted)
        guard let actionID = try run.intend([ActionIntent(threadID: threadID, action: action, reason: reason)]).first else {
            preconditionFailure("recordIntents returned no id for one intent")
        }
        do {
            let modified = try await client.modifyThread(threadID, metadata: wanted)
            try run.settle([
                ActionSettlement(
                    actionID: actionID, outcome: .ok, httpStatus: modified.status, requestID: modified.requestID,
                    attempts: modified.attempts, metadata: modified.value.metadata)
            ])
            try run.finish(.completed)
            context.print(
                json
                    ? try APICommandSupport.json(modified.value)
                    : "\(threadID): \(APICommandSupport.describe(modified.value.metadata))")
            return .success
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
    }
}
