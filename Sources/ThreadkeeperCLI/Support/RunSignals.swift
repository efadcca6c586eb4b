import Executor
import Foundation
import Synchronization

/// The signal that arrived during a run (0: none yet); written only by `stopSignalHandler`.
private let receivedStopSignal = Atomic<Int32>(0)

/// SIGINT/SIGTERM handler: records the first signal; a second one exits at once.
///
/// Only async-signal-safe work here: a lock-free atomic and `_exit(2)`.
private func stopSignalHandler(_ number: Int32) {
    let (exchanged, _) = receivedStopSignal.compareExchange(expected: 0, desired: number, ordering: .relaxed)
    if !exchanged { _exit(number == SIGINT ? 130 : 143) }
}

/// SIGINT and SIGTERM during a run: the first asks the run to stop (no new calls, calls in
/// flight finish or are cancelled, outcomes recorded); a second exits at once, leaving open
/// intents for the next start to reconcile.
///
/// A plain `sigaction(2)` handler (no libdispatch source to register first), and the signals
/// unblocked on the main thread, so a process started with them blocked still stops cleanly:
/// the main thread lives as long as the process, a worker thread may be reaped when idle.
enum RunSignals {
    static func install() async {
        await MainActor.run { installOnMainThread() }
    }

    @MainActor
    private static func installOnMainThread() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = stopSignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM] {
            sigaction(number, &action, nil)
            sigaddset(&set, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Turns a received signal into a stop request until cancelled.
    static func watch(_ control: RunControl, _ context: CommandContext) async {
        while !Task.isCancelled {
            let number = receivedStopSignal.load(ordering: .relaxed)
            if number != 0, control.stopReason == nil {
                context.warn("stopping: no new calls; waiting for the calls in flight (signal again to exit at once)")
                context.standardError.flush()
                control.requestStop(number == SIGINT ? .interrupt : .terminate)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
