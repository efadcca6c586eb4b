import Dispatch
import Foundation
import Synchronization

/// The write end of the process's signal pipe, for `forwardSignal` (-1 until the pipe is made).
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// The handler of every subscribed signal: writes its number to the signal pipe.
///
/// Only async-signal-safe work: a lock-free load, write(2) to a non-blocking pipe, and errno
/// restored. A full pipe drops the byte; the numbers already in it are read anyway.
private func forwardSignal(_ number: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd.load(ordering: .relaxed), &byte, 1)
    errno = saved
}

/// Delivers process signals to closures: a `sigaction(2)` handler writes each signal's number
/// to a pipe, and a Dispatch read source on the other end hands it to every subscriber of
/// that signal. The process's one way to catch a signal: the daemon's `ServiceGroup`,
/// `threadkeeper run` and the emulator all subscribe here.
///
/// Not Dispatch signal sources: on Linux libdispatch reads signals from a signalfd, which only
/// sees signals pending for the process or for the reading thread, so its own handler blocks
/// a signal that lands on another thread and re-raises it at the thread that registered the
/// first source for that signal (event_epoll.c, `_dispatch_muxnote_signal_block_and_raise`);
/// and a source had to be preceded by SIG_IGN, so a signal in the window before registration
/// was dropped. A handler that writes to a pipe works on whichever thread the kernel picks,
/// is in place before `install` returns, and leaves nothing to a thread's identity. The
/// signals are also unblocked on the main thread, which lives as long as the process, so a
/// process started with them blocked still gets them.
///
/// The pipe, its reader and a signal's handler are made once per process; a signal nobody
/// subscribes to any more is read and dropped, so after `cancel()` it stays ignored rather
/// than killing the process.
public final class SignalSources: Sendable {
    private let subscription: Int

    private init(subscription: Int) { self.subscription = subscription }

    /// Subscribes `handler` to `signals` and returns once their handler is installed, so a
    /// signal sent after this returns reaches `handler`.
    public static func install(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) async -> SignalSources {
        let numbers = Set(signals)
        let sources = SignalSources(subscription: SignalHub.shared.subscribe(numbers, handler))
        await MainActor.run { SignalHub.unblockOnThisThread(numbers) }
        return sources
    }

    /// Ends the subscription; the signals stay caught (and dropped) rather than back to their default action.
    public func cancel() {
        SignalHub.shared.unsubscribe(subscription)
    }
}

/// The process's signal pipe and who listens to which signal.
private final class SignalHub: @unchecked Sendable {
    static let shared = SignalHub()

    private struct Subscriber {
        var signals: Set<Int32>
        var handler: @Sendable (Int32) -> Void
    }

    // `subscribers`, `nextID` and `installed` are read and written only with `lock` held;
    // `reader` is set once in init.
    private let lock = NSLock()
    private var subscribers: [Int: Subscriber] = [:]
    private var nextID = 0
    private var installed: Set<Int32> = []
    private var reader: (any DispatchSourceRead)?

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            preconditionFailure("cannot make the signal pipe: \(String(cString: strerror(errno)))")
        }
        // Non-blocking both ways: the handler must never wait, the reader drains until EAGAIN.
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        signalPipeWriteEnd.store(ends[1], ordering: .relaxed)
        let readEnd = ends[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: DispatchQueue(label: "threadkeeper.signals"))
        source.setEventHandler { [unowned self] in self.drain(readEnd) }
        source.resume()
        reader = source
    }

    func subscribe(_ signals: Set<Int32>, _ handler: @escaping @Sendable (Int32) -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        subscribers[nextID] = Subscriber(signals: signals, handler: handler)
        for number in signals.subtracting(installed) {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
            installed.insert(number)
        }
        return nextID
    }

    func unsubscribe(_ id: Int) {
        lock.lock()
        subscribers[id] = nil
        lock.unlock()
    }

    static func unblockOnThisThread(_ signals: Set<Int32>) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Reads every number waiting in the pipe and hands each to its subscribers.
    private func drain(_ descriptor: Int32) {
        var bytes = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(descriptor, &bytes, bytes.count)
            if count < 0, errno == EINTR { continue }
            // 0 or EAGAIN: the pipe is empty until the next signal.
            guard count > 0 else { return }
            for byte in bytes[..<count] {
                let number = Int32(byte)
                lock.lock()
                let handlers = subscribers.values.filter { $0.signals.contains(number) }.map(\.handler)
                lock.unlock()
                for handler in handlers { handler(number) }
            }
        }
    }
}
