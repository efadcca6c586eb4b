import Ledger
import Rules
import ThreadsAPI

/// The work on one thread: verify, archive, act; never writes the ledger itself.
struct ItemWorker: Sendable {
    let client: ThreadsClient
    let rule: Rule
    let compiled: CompiledRule
    let runID: Int64
    let archive: ArchiveStore
    let now: @Sendable () -> Int64

    /// Whether to GET the thread and re-check the rule before acting.
    func shouldVerify(_ thread: ThreadRecord) -> Bool {
        switch rule.options.verify {
        case .always: return true
        case .never: return false
        case .stale:
            guard let synced = thread.lastSynced else { return true }
            return now() - synced > rule.options.verifyWindow.seconds
        }
    }

    func process(_ item: WorkItem) async -> ItemResult {
        let id = item.thread.id
        let actionID = item.actionID
        var current: ThreadObject?
        var currentAnswer: APIResponse<ThreadObject>?
        do {
            if shouldVerify(item.thread) || (rule.action == .delete && rule.options.archive) {
                let fresh: APIResponse<ThreadObject>
                do {
                    fresh = try await client.retrieveThread(id, expectingLive: true)
                } catch let error as APIError where error.isNotFound {
                    return .settled(
                        ActionSettlement(
                            actionID: actionID, outcome: .gone, httpStatus: 404, requestID: error.requestID,
                            attempts: error.attempts, error: "not found when verified", threadState: .gone),
                        threadID: id, archived: false, failure: nil)
                }
                current = fresh.value
                currentAnswer = fresh
                var record = item.thread
                record.metadata = fresh.value.metadata
                let verdict = compiled.evaluate(record)
                if !verdict.matches {
                    let why = verdict.failing.map { "\($0.condition.origin) (\($0.condition.actual(for: record)))" }
                    return .settled(
                        ActionSettlement(
                            actionID: actionID, outcome: .skipped, httpStatus: fresh.status, requestID: fresh.requestID,
                            attempts: 0, error: "no longer matches: " + why.joined(separator: "; "),
                            metadata: fresh.value.metadata),
                        threadID: id, archived: false, failure: nil)
                }
            }
            switch rule.action {
            case .delete:
                var didArchive = false
                if rule.options.archive, let thread = currentAnswer {
                    do {
                        let document = try await ThreadArchive.fetch(
                            thread: thread, client: client, rule: rule.name, run: runID, now: now())
                        try archive.write(threadID: id, document: document)
                        didArchive = true
                    } catch let error as ArchiveError {
                        let message = "archive failed, not deleted: \(error)"
                        return .settled(
                            ActionSettlement(actionID: actionID, outcome: .failed, attempts: 0, error: message),
                            threadID: id, archived: false, failure: message)
                    }
                }
                // A thread just seen live by the GET counts toward the 404 breaker only when
                // the DELETE is its first word about it.
                let answer = try await client.deleteThread(id, expectingLive: current == nil)
                let deleted = answer.value == .deleted
                return .settled(
                    ActionSettlement(
                        actionID: actionID, outcome: deleted ? .ok : .gone, httpStatus: answer.status,
                        requestID: answer.requestID, attempts: answer.attempts, threadState: deleted ? .deleted : .gone),
                    threadID: id, archived: didArchive, failure: nil)
            case .tag, .untag:
                var metadata = current?.metadata ?? item.thread.metadata
                if rule.action == .tag {
                    for assignment in rule.options.set { metadata[assignment.key] = assignment.value }
                } else {
                    for key in rule.options.remove { metadata.removeValue(forKey: key) }
                }
                let answer = try await client.modifyThread(id, metadata: metadata)
                return .settled(
                    ActionSettlement(
                        actionID: actionID, outcome: .ok, httpStatus: answer.status, requestID: answer.requestID,
                        attempts: answer.attempts, metadata: answer.value.metadata),
                    threadID: id, archived: false, failure: nil)
            case .report:
                return .settled(
                    ActionSettlement(actionID: actionID, outcome: .ok, attempts: 0), threadID: id, archived: false, failure: nil)
            }
        } catch let error as APIError {
            return Self.result(for: error, actionID: actionID, threadID: id)
        } catch is CancellationError {
            return .leftOpen
        } catch {
            let message = String(describing: error)
            return .settled(
                ActionSettlement(actionID: actionID, outcome: .failed, attempts: 0, error: message), threadID: id,
                archived: false, failure: message)
        }
    }

    static func result(for error: APIError, actionID: Int64, threadID: String) -> ItemResult {
        if case .breakerOpen(let cause) = error.kind {
            let notFound: Bool
            if case .notFound = cause { notFound = true } else { notFound = false }
            return .abort(
                ActionSettlement(actionID: actionID, outcome: .skipped, attempts: 0, error: "not sent: the breaker is open"),
                threadID: threadID, reason: cause.description, notFound: notFound)
        }
        if error.isAuthentication {
            return .abort(
                ActionSettlement(
                    actionID: actionID, outcome: .failed, httpStatus: error.status, requestID: error.requestID,
                    attempts: error.attempts, error: error.description),
                threadID: threadID,
                reason: "the api refused the key with \(error.status ?? 401): check the key and ApiKeyFile=", notFound: false)
        }
        if error.isNotFound {
            return .settled(
                ActionSettlement(
                    actionID: actionID, outcome: .gone, httpStatus: 404, requestID: error.requestID, attempts: error.attempts,
                    threadState: .gone),
                threadID: threadID, archived: false, failure: nil)
        }
        if case .transport = error.kind, Task.isCancelled { return .leftOpen }
        return .settled(
            ActionSettlement(
                actionID: actionID, outcome: .failed, httpStatus: error.status, requestID: error.requestID,
                attempts: error.attempts, error: error.description),
            threadID: threadID, archived: false, failure: error.description)
    }
}
