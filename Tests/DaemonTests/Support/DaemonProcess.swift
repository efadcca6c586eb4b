import Foundation
import TestSupport

/// A `threadkeeper daemon` child process with its own `NOTIFY_SOCKET`, stderr captured to a file.
///
/// Every wait is bounded (generous, for a loaded machine) and done on a thread of its own, so a
/// blocking `poll` never holds one of the few threads of Swift's cooperative pool. `stop()` ends
/// a child still running by its PID.
final class DaemonProcess: @unchecked Sendable {
    // `process` is started in init and only read afterwards; `received` is guarded by `lock`.
    let process = Process()
    let notifications: NotifySocketListener
    let stderrPath: String
    private let lock = NSLock()
    private var received: [String] = []

    /// Starts `threadkeeper daemon ARGUMENTS` with `environment` plus `NOTIFY_SOCKET`, `PATH`, `HOME`.
    init(arguments: [String], environment: [String: String], directory: TemporaryDirectory) throws {
        notifications = try NotifySocketListener(path: directory.file("notify.sock"))
        stderrPath = directory.file("daemon.stderr")
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: BuiltProducts.threadkeeper)
        process.arguments = ["daemon"] + arguments
        var environment = environment
        environment["NOTIFY_SOCKET"] = notifications.path
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = directory.path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Every notification received so far, in order.
    var messages: [String] { lock.withLock { received } }

    /// What the daemon wrote to stderr so far.
    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the next notification satisfying `predicate` (received after the ones seen so
    /// far); nil when none came within `timeout`.
    func next(timeout: Duration = .seconds(90), where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        let listener = notifications
        let batch = await Self.onThread { listener.receive(until: predicate, timeout: timeout) }
        lock.withLock { received += batch }
        guard let last = batch.last, predicate(last) else { return nil }
        return last
    }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits (bounded) for the child to exit; returns its status, or nil if it was still running.
    func waitForExit(timeout: Duration = .seconds(90)) async -> Int32? {
        let process = process
        return await Self.onThread {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }

    /// Kills the child by its PID if it still runs (after a failed expectation).
    func stop() {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs blocking `work` on a thread of its own.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await onOwnThread(work)
    }

    /// Waits until `condition` holds, checking every 100 ms for at most `timeout`; the last result.
    static func eventually(timeout: Duration = .seconds(90), _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        await onThread {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition() { return true }
                usleep(100_000)
            }
            return condition()
        }
    }
}
