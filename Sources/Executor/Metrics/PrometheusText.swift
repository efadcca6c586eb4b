import Ledger

/// The metrics as node_exporter's textfile collector reads them: Prometheus' text exposition
/// format 0.0.4, one `# HELP` and `# TYPE` per family, samples sorted so the file is stable.
///
/// Counters end in `_total` and only grow while the ledger does (open actions and running
/// runs, which change state, are gauges of their own); times are Unix seconds, durations
/// seconds.
public enum PrometheusText {
    /// The name node_exporter's textfile collector reads (it takes `*.prom` only).
    public static let fileName = "threadkeeper.prom"

    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var out = Output()
        let ledger = snapshot.ledger

        out.family("threadkeeper_threads", .gauge, "Threads and conversations in the ledger by state and kind.")
        for kind in ObjectKind.allCases {
            for state in ThreadState.allCases {
                out.sample(
                    "threadkeeper_threads", [("kind", kind.rawValue), ("state", state.rawValue)],
                    ledger.rowsByObject[kind]?[state] ?? 0)
            }
        }

        out.family("threadkeeper_runs_total", .counter, "Finished runs by rule and status.")
        let finished = ledger.runs.filter { $0.key.status != .running }.sorted {
            ($0.key.rule, $0.key.status.rawValue) < ($1.key.rule, $1.key.status.rawValue)
        }
        for (group, count) in finished {
            out.sample("threadkeeper_runs_total", [("rule", group.rule), ("status", group.status.rawValue)], count)
        }
        out.family("threadkeeper_runs_running", .gauge, "Runs recorded as running, by rule.")
        for (group, count) in ledger.runs.filter({ $0.key.status == .running }).sorted(by: { $0.key.rule < $1.key.rule }) {
            out.sample("threadkeeper_runs_running", [("rule", group.rule)], count)
        }

        out.family("threadkeeper_actions_total", .counter, "Settled actions by action and outcome.")
        let settled = ledger.actions.compactMap { group, count in group.outcome.map { (group.action, $0.rawValue, count) } }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        for (action, outcome, count) in settled {
            out.sample("threadkeeper_actions_total", [("action", action), ("outcome", outcome)], count)
        }
        out.family("threadkeeper_actions_open", .gauge, "Actions whose intent is written and outcome not yet.")
        out.sample("threadkeeper_actions_open", [], ledger.actions.filter { $0.key.outcome == nil }.values.reduce(0, +))

        let lastRuns = ledger.lastRuns.sorted { $0.key < $1.key }
        out.family("threadkeeper_rule_last_run_start_timestamp_seconds", .gauge, "When the rule's last finished run started.")
        for (rule, run) in lastRuns {
            out.sample("threadkeeper_rule_last_run_start_timestamp_seconds", [("rule", rule)], run.startedAt)
        }
        out.family("threadkeeper_rule_last_run_duration_seconds", .gauge, "How long the rule's last finished run took.")
        for (rule, run) in lastRuns {
            out.sample("threadkeeper_rule_last_run_duration_seconds", [("rule", rule)], max(0, run.finishedAt - run.startedAt))
        }
        out.family(
            "threadkeeper_rule_last_run_exit_code", .gauge,
            "Exit code of the rule's last finished run from its recorded status (0 ok, 1 failures, 2 refused or aborted, 75 interrupted).")
        for (rule, run) in lastRuns {
            out.sample("threadkeeper_rule_last_run_exit_code", [("rule", rule)], MetricsSnapshot.exitCode(run))
        }

        out.family("threadkeeper_rule_backlog_threads", .gauge, "Threads the rule matches now (holds applied), as plan counts them.")
        for (rule, count) in snapshot.backlog.sorted(by: { $0.key < $1.key }) {
            out.sample("threadkeeper_rule_backlog_threads", [("rule", rule)], count)
        }

        if let requests = snapshot.requests {
            out.family("threadkeeper_api_requests_total", .counter, "API requests sent by this process, by HTTP status (none: no answer).")
            for (status, count) in requests.byStatus.sorted(by: { $0.key < $1.key }) {
                out.sample("threadkeeper_api_requests_total", [("status", String(status))], count)
            }
            out.sample("threadkeeper_api_requests_total", [("status", "none")], requests.unanswered)
            out.family("threadkeeper_api_rate_limited_total", .counter, "API answers 429 Too Many Requests.")
            out.sample("threadkeeper_api_rate_limited_total", [], requests.rateLimited)
            out.family("threadkeeper_api_retries_total", .counter, "API requests sent again after a failed attempt.")
            out.sample("threadkeeper_api_retries_total", [], requests.retries)
            out.family("threadkeeper_api_breaker_openings_total", .counter, "Times the API client's breaker opened.")
            out.sample("threadkeeper_api_breaker_openings_total", [], requests.breakerOpenings)
        }

        out.family("threadkeeper_audit_chain_rows", .gauge, "Rows in the audit hash chain.")
        out.sample("threadkeeper_audit_chain_rows", [], ledger.chainRows)
        if let at = ledger.chainHeadAt {
            out.family("threadkeeper_audit_chain_head_timestamp_seconds", .gauge, "When the fact the newest chain row covers was written.")
            out.sample("threadkeeper_audit_chain_head_timestamp_seconds", [], at)
            out.family("threadkeeper_audit_chain_head_age_seconds", .gauge, "Age of the newest audit chain head.")
            out.sample("threadkeeper_audit_chain_head_age_seconds", [], max(0, snapshot.now - at))
        }
        return out.text
    }

    /// `\`, `"` and line feeds escaped, as the format asks of label values.
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    enum Kind: String { case counter, gauge }

    struct Output {
        var text = ""

        mutating func family(_ name: String, _ kind: Kind, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        }

        mutating func sample<Value: BinaryInteger>(_ name: String, _ labels: [(String, String)], _ value: Value) {
            text += name
            if !labels.isEmpty {
                text += "{" + labels.map { "\($0.0)=\"\(PrometheusText.escape($0.1))\"" }.joined(separator: ",") + "}"
            }
            text += " \(value)\n"
        }
    }
}
