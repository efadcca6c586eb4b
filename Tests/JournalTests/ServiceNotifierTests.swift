import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Journal

/// sd_notify reads `NOTIFY_SOCKET` and `WATCHDOG_*` from the process environment, so these
/// tests set it; they run one at a time and restore it.
@Suite(.serialized) struct ServiceNotifierTests {
    static let environmentLock = Mutex(())

    func withEnvironment<T>(_ values: [String: String], _ body: () throws -> T) rethrows -> T {
        try Self.environmentLock.withLock { _ in
            for (key, value) in values { setenv(key, value, 1) }
            defer { for key in values.keys { unsetenv(key) } }
            return try body()
        }
    }

    @Test func messagesFollowTheNotifyProtocol() {
        #expect(
            ServiceNotifier.message([.ready, .status("idle; next: a at 2026-11-25 03:00 UTC")])
                == "READY=1\nSTATUS=idle; next: a at 2026-11-25 03:00 UTC")
        #expect(ServiceNotifier.message([.stopping]) == "STOPPING=1")
        #expect(ServiceNotifier.message([.watchdog]) == "WATCHDOG=1")
        #expect(ServiceNotifier.message([.status("two\nlines")]) == "STATUS=two lines")
        #expect(ServiceNotifier.message([.errno(5)]) == "ERRNO=5")
        let reloading = ServiceNotifier.message([.reloading]).split(separator: "\n")
        #expect(reloading.first == "RELOADING=1")
        #expect(reloading.count == 2 && reloading[1].hasPrefix("MONOTONIC_USEC=") && UInt64(reloading[1].dropFirst(15)) != nil)
    }

    @Test func datagramsReachTheNotifySocket() throws {
        let directory = TemporaryDirectory()
        let listener = try NotifySocketListener(path: directory.file("notify"))
        let sent = try withEnvironment(["NOTIFY_SOCKET": listener.path]) {
            let notifier = ServiceNotifier()
            return try [
                notifier.notify([.ready, .status("idle")]),
                notifier.notify(.watchdog),
                notifier.notify(.reloading),
                notifier.notify(.stopping),
            ]
        }
        #expect(sent == [true, true, true, true])
        #expect(listener.receive() == "READY=1\nSTATUS=idle")
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive()?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func withoutAManagerNotifyingIsANoOp() throws {
        let sent = try withEnvironment([:]) { try ServiceNotifier().notify(.ready) }
        #expect(sent == false)
    }

    @Test func aDeadSocketIsAnError() throws {
        let directory = TemporaryDirectory()
        let thrown = withEnvironment(["NOTIFY_SOCKET": directory.file("nobody")]) {
            #expect(throws: NotifyError.self) { try ServiceNotifier().notify(.ready) }
        }
        #expect(thrown?.code == ENOENT)
        #expect(thrown?.description.contains("'READY=1'") == true)
    }

    @Test func watchdogTimeoutComesFromTheEnvironment() {
        let pid = String(getpid())
        #expect(withEnvironment(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": pid]) { ServiceNotifier.watchdogTimeout() } == .seconds(30))
        #expect(withEnvironment(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) { ServiceNotifier.watchdogTimeout() } == nil)
        #expect(withEnvironment([:]) { ServiceNotifier.watchdogTimeout() } == nil)
    }
}
