import CommandLineKit
import Executor
import Foundation
import Lifecycle

/// SIGINT and SIGTERM during a run: the first asks the run to stop (no new calls, calls in
/// flight finish or are cancelled, outcomes recorded); a second exits at once, leaving open
/// intents for the next start to reconcile.
///
/// Through `SignalSources`, the process's one signal path (the daemon's too): the handlers are
/// in place and the signals unblocked on the main thread before `install` returns, so a process
/// started with them blocked still stops cleanly, and each signal is handed over as it arrives.
enum RunSignals {
    /// Turns SIGINT and SIGTERM into stop requests on `control` until the sources are cancelled.
    static func install(_ control: RunControl, _ context: CommandContext) async -> SignalSources {
        await SignalSources.install(signals: [SIGINT, SIGTERM]) { number in
            // One signal at a time reaches here (the signal pipe has one reader), so the check
            // and the request below cannot interleave with another signal's.
            guard control.stopReason == nil else { _exit(number == SIGINT ? 130 : 143) }
            context.warn("stopping: no new calls; waiting for the calls in flight (signal again to exit at once)")
            context.standardError.flush()
            control.requestStop(number == SIGINT ? .interrupt : .terminate)
        }
    }
}
