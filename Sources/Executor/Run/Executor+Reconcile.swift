import Foundation
import Journal
import Ledger
import ThreadsAPI

extension Executor {
    /// Settles the open intents of runs left `running` by a crash or a hard stop; returns how many.
    ///
    /// Each open action's thread is fetched: a 404 settles it `gone` (the interrupted call most
    /// likely deleted it); a live thread is released (`skipped`), or `ok` when a tag or untag
    /// is already in its metadata. An open `create` is `failed` without a call: no id to ask about. Nothing is deleted here, so a thread is never deleted twice.
    /// Runs of rules another live process holds are left alone. With `rule`, only that rule's
    /// runs are looked at (the caller holds its lock); without, every rule's (the daemon at start).
    public func reconcile(rule: String? = nil, holdingLock: Bool = false) async throws -> Int {
        let runs = try wrapLedger { try ledger.unfinishedRuns() }.filter { rule == nil || $0.rule == rule }
        var total = 0
        let holder = ProcessIdentity.current()
        for run in runs {
            var tookLock = false
            if !(holdingLock && run.rule == rule) {
                let acquisition = try wrapLedger {
                    try ledger.acquireRuleLock(rule: run.rule, holder: holder, isAlive: ProcessIdentity.isAlive)
                }
                if case .held = acquisition { continue }
                tookLock = true
            }
            defer {
                if tookLock {
                    do {
                        try ledger.releaseRuleLock(rule: run.rule, pid: holder.pid, host: holder.host)
                    } catch {
                        logger.error("cannot release the lock of rule '\(run.rule)': \(error)", metadata: ["rule": run.rule])
                    }
                }
            }
            let open = try wrapLedger { try ledger.openIntents(runID: run.id) }
            total += try await settle(open, of: run)
            try wrapLedger { _ = try ledger.finishRun(id: run.id, status: .interrupted) }
            logger.notice(
                "run \(run.id) of rule '\(run.rule)' was interrupted; \(open.count) open actions reconciled",
                metadata: ["rule": run.rule, "run": String(run.id)])
            logChainHead(rule: run.rule, run: run.id, logger)
        }
        return total
    }

    private func settle(_ open: [ActionRecord], of run: RunRecord) async throws -> Int {
        var index = 0
        while index < open.count {
            let chunk = Array(open[index..<min(open.count, index + settings.concurrency)])
            index += chunk.count
            let settlements = try await withThrowingTaskGroup(of: ActionSettlement.self) { group in
                for action in chunk {
                    group.addTask { try await self.reconcile(action) }
                }
                var out: [ActionSettlement] = []
                for try await settlement in group { out.append(settlement) }
                return out
            }
            try wrapLedger { try ledger.settle(settlements) }
        }
        return open.count
    }

    private func reconcile(_ action: ActionRecord) async throws -> ActionSettlement {
        let note = "reconciled after run \(action.runID) was interrupted"
        if action.action == "create" {
            // Its intent cannot name the thread, and the API cannot list threads: nothing to ask.
            return ActionSettlement(
                actionID: action.id, outcome: .failed, attempts: 0,
                error:
                    "\(note): the create may have reached the API but its answer never came back, so a thread may exist that the ledger does not know; find its id where the application keeps it and import it"
            )
        }
        let answer: APIResponse<ThreadObject>
        do {
            // Most open intents are deletes whose call went through before the crash: their 404s
            // are expected and must not count toward the wrong-BaseURL breaker.
            answer = try await client.retrieve(APIObjectKind(action.kind), action.threadID, expectingLive: false)
        } catch let error as APIError where error.isNotFound {
            return ActionSettlement(
                actionID: action.id, outcome: .gone, httpStatus: 404, requestID: error.requestID, attempts: 0,
                error: "\(note): the thread is gone (the interrupted call most likely \(action.action)d it)",
                threadState: .gone)
        } catch let error as APIError {
            throw ExecutorError.reconciliationFailed(threadID: action.threadID, error)
        }
        let metadata = answer.value.metadata
        let applied: Bool
        switch action.action {
        case "tag":
            let rule = try wrapLedger { try ledger.run(id: action.runID) }
            applied = rule.map { Self.tagApplied(ruleText: $0.ruleText, metadata: metadata) } ?? false
        default:
            applied = false
        }
        if applied {
            return ActionSettlement(
                actionID: action.id, outcome: .ok, httpStatus: answer.status, requestID: answer.requestID, attempts: 0,
                error: "\(note): the change is in place", metadata: metadata, createdAt: answer.value.createdAt)
        }
        return ActionSettlement(
            actionID: action.id, outcome: .skipped, httpStatus: answer.status, requestID: answer.requestID, attempts: 0,
            error: "\(note): the thread is live and unchanged; released for a later run", metadata: metadata,
            createdAt: answer.value.createdAt)
    }

    /// Whether every `Set=key=value` of the run's rule text is already in `metadata`.
    static func tagApplied(ruleText: String, metadata: [String: String]) -> Bool {
        var sets: [(String, String)] = []
        for line in ruleText.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("Set=") else { continue }
            let body = trimmed.dropFirst(4)
            guard let equals = body.firstIndex(of: "=") else { continue }
            sets.append((String(body[..<equals]), String(body[body.index(after: equals)...])))
        }
        return !sets.isEmpty && sets.allSatisfy { metadata[$0.0] == $0.1 }
    }
}
