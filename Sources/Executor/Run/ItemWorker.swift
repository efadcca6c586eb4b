import Ledger
import Rules
import ThreadsAPI

/// The work on one thread: verify, archive, act; never writes the ledger itself.
///
/// The API decides: before a write the thread is fetched (always for tag and untag, per
/// `Verify=` for a delete) and the whole rule is checked again on the API's object, its
/// created_at and metadata included. A thread that no longer matches there is skipped, with
/// the disagreement named, and the ledger takes the API's copy. An outcome is `ok` only when
/// the answer proves the change: a DELETE that says `"deleted": true` for this id, a
/// metadata POST that answers exactly the metadata sent.
struct ItemWorker: Sendable {
    let client: ThreadsClient
    let rule: Rule
    let compiled: CompiledRule
    let runID: Int64
    let archive: ArchiveStore
    let now: @Sendable () -> Int64

    /// Whether to GET the thread and re-check the rule before acting.
    ///
    /// A tag or untag always reads first: its POST replaces the whole metadata, so it is built
    /// from the API's copy, never from the ledger's.
    func shouldVerify(_ thread: ThreadRecord) -> Bool {
        if rule.action == .tag || rule.action == .untag { return true }
        if rule.action == .delete && rule.options.archive { return true }
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
        let kind = APIObjectKind(item.thread.object)
        let actionID = item.actionID
        var current: ThreadObject?
        var currentAnswer: APIResponse<ThreadObject>?
        do {
            if shouldVerify(item.thread) {
                let fresh: APIResponse<ThreadObject>
                do {
                    fresh = try await client.retrieve(kind, id, expectingLive: true)
                } catch let error as APIError where error.isNotFound {
                    return .settled(
                        ActionSettlement(
                            actionID: actionID, outcome: .gone, httpStatus: 404, requestID: error.requestID,
                            attempts: error.attempts, error: "not found when verified", threadState: .gone),
                        threadID: id, archived: false, failure: nil)
                }
                // The answer must be the kind the ledger holds (a custom provider may serve
                // anything at a path): otherwise nothing here can be trusted to act on.
                guard fresh.value.object == kind.rawValue else {
                    return .settled(
                        ActionSettlement(
                            actionID: actionID, outcome: .skipped, httpStatus: fresh.status, requestID: fresh.requestID,
                            attempts: 0,
                            error: "the api answered an object '\(fresh.value.object)' for this \(kind.rawValue); left alone"),
                        threadID: id, archived: false, failure: nil)
                }
                current = fresh.value
                currentAnswer = fresh
                var record = item.thread
                record.metadata = fresh.value.metadata
                record.createdAt = fresh.value.createdAt
                record.metadataUnreadable = false
                let verdict = compiled.evaluate(record)
                if !verdict.matches {
                    let why = verdict.failing.map { "\($0.condition.origin) (\($0.condition.actual(for: record)))" }
                    var reason = "no longer matches at the api: " + why.joined(separator: "; ")
                    let differences = Self.disagreement(ledger: item.thread, api: fresh.value)
                    if !differences.isEmpty { reason += "; the ledger disagreed: " + differences.joined(separator: "; ") }
                    return .settled(
                        ActionSettlement(
                            actionID: actionID, outcome: .skipped, httpStatus: fresh.status, requestID: fresh.requestID,
                            attempts: 0, error: reason, metadata: fresh.value.metadata, createdAt: fresh.value.createdAt),
                        threadID: id, archived: false, failure: nil)
                }
            } else {
                // Verify=never: the ledger's copy decides, and a copy that cannot be read holds.
                let verdict = compiled.evaluate(item.thread)
                if !verdict.matches {
                    let why = verdict.failing.map { "\($0.condition.origin) (\($0.condition.actual(for: item.thread)))" }
                    let reason =
                        item.thread.metadataUnreadable
                        ? "held: the ledger's metadata of this thread cannot be parsed; 'threadkeeper sync' reads it again from the api"
                        : "does not match the ledger's copy: " + why.joined(separator: "; ")
                    return .settled(
                        ActionSettlement(actionID: actionID, outcome: .skipped, attempts: 0, error: reason),
                        threadID: id, archived: false, failure: nil)
                }
            }
            switch rule.action {
            case .delete:
                var didArchive = false
                if rule.options.archive, let thread = currentAnswer {
                    do {
                        let document =
                            kind == .conversation
                            ? try await ThreadArchive.fetchConversation(
                                conversation: thread, client: client, rule: rule.name, run: runID, now: now())
                            : try await ThreadArchive.fetch(thread: thread, client: client, rule: rule.name, run: runID, now: now())
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
                let answer = try await client.delete(kind, id, expectingLive: current == nil)
                let deleted = answer.value == .deleted
                return .settled(
                    ActionSettlement(
                        actionID: actionID, outcome: deleted ? .ok : .gone, httpStatus: answer.status,
                        requestID: answer.requestID, attempts: answer.attempts, threadState: deleted ? .deleted : .gone,
                        metadata: current?.metadata, createdAt: current?.createdAt),
                    threadID: id, archived: didArchive, failure: nil)
            case .tag, .untag:
                guard let fresh = current else { preconditionFailure("a tag or untag always reads the thread first") }
                var metadata = fresh.metadata
                if rule.action == .tag {
                    for assignment in rule.options.set { metadata[assignment.key] = assignment.value }
                } else {
                    for key in rule.options.remove { metadata.removeValue(forKey: key) }
                }
                let answer = try await client.modify(kind, id, metadata: metadata)
                guard answer.value.metadata == metadata else {
                    let message =
                        "the api answered metadata other than what was sent (the provider merges metadata instead of replacing it): sent "
                        + Self.describe(metadata) + ", answered " + Self.describe(answer.value.metadata)
                    return .settled(
                        ActionSettlement(
                            actionID: actionID, outcome: .failed, httpStatus: answer.status, requestID: answer.requestID,
                            attempts: answer.attempts, error: message, metadata: answer.value.metadata,
                            createdAt: answer.value.createdAt),
                        threadID: id, archived: false, failure: message)
                }
                return .settled(
                    ActionSettlement(
                        actionID: actionID, outcome: .ok, httpStatus: answer.status, requestID: answer.requestID,
                        attempts: answer.attempts, metadata: answer.value.metadata, createdAt: answer.value.createdAt),
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

    /// Where the ledger's copy of a thread differs from the API's, in words.
    static func disagreement(ledger: ThreadRecord, api: ThreadObject) -> [String] {
        var differences: [String] = []
        if ledger.createdAt != api.createdAt {
            differences.append(
                "created_at \(ledger.createdAt.map(String.init) ?? "unknown") in the ledger, \(api.createdAt) at the api")
        }
        if ledger.metadataUnreadable {
            differences.append("the ledger's metadata cannot be parsed")
        } else if ledger.metadata != api.metadata {
            differences.append("metadata \(describe(ledger.metadata)) in the ledger, \(describe(api.metadata)) at the api")
        }
        return differences
    }

    /// `{k=v, k2=v2}` in key order.
    static func describe(_ metadata: [String: String]) -> String {
        "{" + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
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
        if error.kind == .notTheAPI {
            // Not a thread's fate but the endpoint's: nothing more is sent and nothing is recorded gone.
            return .abort(
                ActionSettlement(
                    actionID: actionID, outcome: .failed, httpStatus: error.status, requestID: error.requestID,
                    attempts: error.attempts, error: error.description),
                threadID: threadID, reason: error.description, notFound: true, unavailable: true)
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
