/// The events with a `MESSAGE_ID`, each with the fields its entry in
/// `systemd/threadkeeper.catalog` refers to (`@THREADKEEPER_RULE@` and so on), so every module
/// emits them alike and `journalctl -x` can fill in the explanation.
extension Logger {
    /// The daemon is ready (after `READY=1`).
    public func daemonStarted(rules: Int, scheduled: Int) {
        notice(
            "threadkeeper daemon started: \(rules) rules, \(scheduled) scheduled", id: .daemonStarted,
            metadata: ["rules": String(rules), "scheduled": String(scheduled)])
    }

    /// The rules directory was (re)loaded; `summary` says what changed.
    public func rulesLoaded(rules: Int, rejected: Int, summary: String) {
        log(
            level: rejected > 0 ? .warning : .notice, "rules loaded: \(summary)", id: .rulesLoaded,
            metadata: ["rules": String(rules), "rejected": String(rejected)])
    }

    /// A rule file failed to load; `finding` is its `file:line:column: error: message` line.
    public func ruleRejected(rule: String, file: String, line: Int, finding: String, keptLastGood: Bool) {
        let consequence = keptLastGood ? "; its last good version stays in force" : "; it does not run"
        error(finding + consequence, id: .ruleRejected, metadata: ["rule": rule, "file": file, "line": String(line)])
    }

    /// A run began; `trigger` is `schedule`, `manual` or `resume`.
    public func runStarted(rule: String, run: Int64, trigger: String, matched: Int) {
        info(
            "run \(run) of rule \(rule) started (\(trigger)): \(matched) threads to act on", id: .runStarted,
            metadata: ["rule": rule, "run": String(run), "trigger": trigger, "matched": String(matched)])
    }

    /// A run ended; its counts become fields of their own. Any failure makes it a warning.
    ///
    /// With failed actions the message says how many and the first one's error (`FIRST_FAILURE`).
    public func runFinished(
        rule: String, run: Int64, status: String, matched: Int, done: Int, gone: Int, skipped: Int, failed: Int,
        firstFailure: String? = nil
    ) {
        var metadata = [
            "rule": rule, "run": String(run), "status": status, "matched": String(matched), "done": String(done),
            "gone": String(gone), "skipped": String(skipped), "failed": String(failed),
        ]
        metadata["first_failure"] = firstFailure
        let why = firstFailure.map { "; \(failed) action\(failed == 1 ? "" : "s") failed, the first: \($0)" } ?? ""
        log(
            level: failed > 0 ? .warning : .notice,
            "run \(run) of rule \(rule) \(status): \(matched) matched, \(done) done, \(gone) gone, \(skipped) skipped, \(failed) failed\(why)",
            id: .runFinished, metadata: metadata)
    }

    /// A guard, the breaker or a signal ended the run before its work was done.
    public func runAborted(rule: String, run: Int64, reason: String) {
        error("run \(run) of rule \(rule) aborted: \(reason)", id: .runAborted, metadata: ["rule": rule, "run": String(run)])
    }

    /// One action failed (per-thread successes are the ledger's, not the journal's).
    public func actionFailed(
        rule: String, run: Int64, thread: String, httpStatus: Int?, requestID: String?, attempts: Int, error message: String
    ) {
        var metadata = ["rule": rule, "run": String(run), "thread": thread, "attempts": String(attempts)]
        metadata["http_status"] = httpStatus.map(String.init)
        metadata["request_id"] = requestID
        error("action on thread \(thread) failed: \(message)", id: .actionFailed, metadata: metadata)
    }

    /// The breaker stopped the run: the API answers as if the configuration were wrong.
    public func breakerOpened(rule: String, run: Int64, reason: String) {
        error(
            "breaker opened, run \(run) of rule \(rule) stops calling the API: \(reason)", id: .breakerOpened,
            metadata: ["rule": rule, "run": String(run)])
    }

    /// A run ended and the ledger's hash chain stood at `rows` rows ending in `head`.
    ///
    /// `threadkeeper audit --verify` looks up the newest of these for the same ledger file
    /// (`ledger`, its absolute path) and checks that the chain still has that row with that hash.
    public func chainHead(rule: String, run: Int64, ledger: String, rows: Int64, head: String) {
        notice(
            "run \(run) of rule \(rule) left the ledger's hash chain at row \(rows), head \(head)", id: .chainHead,
            metadata: ["rule": rule, "run": String(run), "ledger": ledger, "chain_rows": String(rows), "chain_head": head])
    }

    /// One of the setup checks failed (`err`) or warned (`warning`); `line` is `name: detail; fix: …`.
    public func setupCheck(failed: Bool, line: String) {
        let name = String(line.prefix { $0 != ":" })
        log(
            level: failed ? .error : .warning, failed ? "setup check failed: \(line)" : "setup check: \(line)", id: .setupCheck,
            metadata: ["check": name, "check_status": failed ? "failed" : "warning"])
    }

    /// Every setup check passed (`warnings` of them warned).
    public func setupChecksPassed(warnings: Int) {
        notice(
            "setup checks passed (\(warnings) warnings)", id: .setupCheck,
            metadata: ["check": "all", "check_status": "passed", "warnings": String(warnings)])
    }
}
