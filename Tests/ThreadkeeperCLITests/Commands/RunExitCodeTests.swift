import Executor
import Testing

@testable import ThreadkeeperCLI

/// How `run` reads a report into an exit code.
struct RunExitCodeTests {
    static func report(_ end: RunEnd, apiUnavailable: Bool = false) -> RunReport {
        var report = RunReport(
            runID: 1, rule: "r", action: "delete", dryRun: false, end: end, matched: 3, planned: 3)
        report.apiUnavailable = apiUnavailable
        return report
    }

    /// Issue 14, finding 4: a run aborted because the answers were not the Threads API's exits 69,
    /// one aborted by a guard or the breaker exits 2.
    @Test func anAbortOnAnAnswerThatIsNotTheAPIsIsUnavailable() {
        #expect(RunCommand.exitCode(for: Self.report(.aborted("Invalid URL"), apiUnavailable: true)) == .unavailable)
        #expect(RunCommand.exitCode(for: Self.report(.aborted("breaker"))) == .refused)
        #expect(RunCommand.worse(.unavailable, .refused) == .unavailable)
        #expect(RunCommand.worse(.unavailable, .interrupted) == .interrupted)
    }
}
