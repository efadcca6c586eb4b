import Ledger
import ThreadsAPI

/// Why a run could not start or could not go on, with what to do about it.
public enum ExecutorError: Error, Sendable, CustomStringConvertible {
    /// Another live process runs the rule.
    case lockHeld(rule: String, holder: RuleLockHolder)
    /// `run --plan ID` names no saved plan.
    case unknownPlan(Int64)
    /// The rule file changed since the plan was saved.
    case planOutdated(planID: Int64, rule: String, savedDigest: String, currentDigest: String)
    /// `run --plan ID` was given a rule other than the plan's.
    case planForOtherRule(planID: Int64, planRule: String, rule: String)
    /// Open intents could not be reconciled because the API did not answer.
    case reconciliationFailed(threadID: String, APIError)
    /// The ledger refused a write (full disk, read-only file); no further call was sent.
    case ledger(LedgerError)
    /// The read-only probe before the first change did not come back as the provider's
    /// not-found answer (a refused key, a wrong base URL, a missing header): nothing was sent.
    case probeFailed(APIError)
    /// A rule with `Archive=yes` cannot write its archive directory; the run stopped before any call.
    case archiveUnwritable(rule: String, ArchiveError)
    /// The provider does not serve the rule's kind of object (`Provider=openai` and threads);
    /// the run stopped before any call.
    case objectNotServed(rule: String, reason: String)

    public var description: String {
        switch self {
        case .lockHeld(let rule, let holder):
            "rule '\(rule)' is already running (\(holder), since \(holder.startedAt)); wait for it to finish, or stop that process"
        case .unknownPlan(let id): "no saved plan \(id) in the ledger; save one with 'threadkeeper plan RULE --save'"
        case .planOutdated(let id, let rule, let saved, let current):
            "rule '\(rule)' changed since plan \(id) was saved (digest \(saved.prefix(12)) then, \(current.prefix(12)) now); "
                + "save a new plan with 'threadkeeper plan \(rule) --save'"
        case .planForOtherRule(let id, let planRule, let rule):
            "plan \(id) was saved for rule '\(planRule)', not '\(rule)'"
        case .reconciliationFailed(let threadID, let error):
            "cannot reconcile the open action on '\(threadID)' left by an interrupted run: \(error); no new work was started"
        case .ledger(let error): error.message
        case .probeFailed(let error):
            "the api did not pass the read-only probe, so nothing was changed: \(error)"
        case .archiveUnwritable(let rule, let error):
            "rule '\(rule)' archives before deleting, but \(error); the run stopped before the first delete"
        case .objectNotServed(let rule, let reason): "rule '\(rule)' was not run, nothing was sent: \(reason)"
        }
    }
}
