import Configuration
import Executor
import Foundation
import Ledger
import Rules
import ThreadsAPI

/// Renders the metrics of one ledger and writes them where `[Metrics] TextfileDirectory=` says.
///
/// `threadkeeper metrics` prints what this renders; `run`, `import` and the daemon write it
/// after their work, so the file is as fresh as the ledger.
enum MetricsPublisher {
    /// The metrics text: the ledger's counts, each loaded rule's backlog and, when the process
    /// has a client, its request counts. Rule files with errors are left out, as the daemon does.
    static func render(
        configuration: Configuration, rulesDirectory: String, ledger: Ledger, requests: RequestCounts?,
        now: Int64 = Int64(Date().timeIntervalSince1970), rules: [Rule]? = nil
    ) throws -> (text: String, failures: [String]) {
        let loaded =
            rules
            ?? RuleSet.load(
                directory: rulesDirectory, hold: configuration.hold.value, budget: configuration.budget, now: now
            ).rules
        let (snapshot, failures) = try MetricsSnapshot.collect(
            ledger: ledger, rules: loaded, hold: configuration.hold.value, now: now, requests: requests)
        return (PrometheusText.render(snapshot), failures)
    }

    /// Writes the file when the config asks for it; a failure is a warning through `warn`: the
    /// work it reports on is done and recorded whatever becomes of the file.
    static func publish(
        configuration: Configuration, rulesDirectory: String, ledger: Ledger, requests: RequestCounts?,
        rules: [Rule]? = nil, warn: (String) -> Void
    ) {
        guard let directory = configuration.metricsDirectory.value else { return }
        do {
            let (text, failures) = try render(
                configuration: configuration, rulesDirectory: rulesDirectory, ledger: ledger, requests: requests, rules: rules)
            for failure in failures { warn("metrics: the backlog of \(failure) is left out") }
            try MetricsTextfile(directory: directory).replace(with: text)
        } catch {
            warn("metrics: \(error)")
        }
    }
}
