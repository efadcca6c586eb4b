import Dispatch
import Foundation

/// Delivers process signals to a closure through Dispatch signal sources.
///
/// Each signal's default action is set to SIG_IGN before its source is made, as the libdispatch
/// documentation asks, so a signal arriving before the source is registered cannot kill the
/// process. On Linux libdispatch then installs a handler of its own at registration that forwards
/// the signal to its signalfd (event_epoll.c, `_dispatch_muxnote_signal_block_and_raise`), once
/// per signal and process. That handler must stay: a disposition is therefore only changed while
/// it is still SIG_DFL and never restored, and after `cancel()` the signals stay ignored.
final class SignalSources: @unchecked Sendable {
    // Set in `install`, then only cancelled from `cancel()`, which the owning group calls once.
    private var sources: [any DispatchSourceSignal] = []

    private init() {}

    /// Installs sources for `signals` and returns once every one is registered, so a signal
    /// sent after this returns reaches `handler`.
    static func install(
        signals: [Int32], queue: DispatchQueue = DispatchQueue(label: "threadkeeper.signals"),
        handler: @escaping @Sendable (Int32) -> Void
    ) async -> SignalSources {
        let installed = SignalSources()
        let numbers = Set(signals).sorted()
        guard !numbers.isEmpty else { return installed }
        let registered = DispatchGroup()
        for number in numbers {
            var current = sigaction()
            sigaction(number, nil, &current)
            if current.__sigaction_handler.sa_handler == nil {  // SIG_DFL
                signal(number, SIG_IGN)
            }
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            installed.sources.append(source)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            registered.notify(queue: queue) { continuation.resume() }
        }
        return installed
    }

    func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}
