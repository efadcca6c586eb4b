import Dispatch
import Executor
import Foundation

/// SIGINT and SIGTERM during a run: the first asks the run to stop (no new calls, calls in
/// flight finish or are cancelled, outcomes recorded); a second exits at once, leaving open
/// intents for the next start to reconcile.
final class RunSignals {
    private let sources: [any DispatchSourceSignal]

    init(control: RunControl) {
        var sources: [any DispatchSourceSignal] = []
        for (number, reason) in [(SIGINT, StopReason.interrupt), (SIGTERM, StopReason.terminate)] {
            // "signal(2) … SIG_IGN": the default action would end the process before the source sees it.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if control.stopReason != nil {
                    // A second signal: leave now; the open intents are reconciled next time.
                    FileHandle.standardError.write(Data("threadkeeper: second signal, exiting at once\n".utf8))
                    _exit(number == SIGINT ? 130 : 143)
                }
                FileHandle.standardError.write(
                    Data("threadkeeper: stopping: no new calls; waiting for the calls in flight (signal again to exit at once)\n".utf8))
                control.requestStop(reason)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Restores the default actions.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
