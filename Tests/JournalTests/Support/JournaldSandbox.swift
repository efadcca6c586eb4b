import CProcess
import Foundation
import Journal
import Synchronization
import TestSupport

/// A private `systemd-journald` that only one thread of the test process talks to.
///
/// `sd_journal_sendv` always sends to `/run/systemd/journal/socket`; to test the real handler
/// without touching the host's journal, a dedicated thread unshares its mount namespace
/// (unshare(2): CLONE_NEWNS unshares the caller's fs attributes, so it works in a
/// multithreaded process and affects only that thread), mounts a fresh tmpfs on
/// `/run/systemd`, binds a temp directory on `/run/log` and hides `/var/log/journal`, then
/// starts journald from that thread so it lives in the same namespace. Work that must reach
/// this journald runs on that thread (`perform`); the journal files land in the temp directory,
/// where `journalctl --directory` reads them from anywhere.
final class JournaldSandbox: @unchecked Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    let directory = TemporaryDirectory(prefix: "threadkeeper-journald")
    private let worker = NamespaceWorker()
    // Written once on the worker thread during start(), read after it: `perform` orders the accesses.
    private var journaldPID: pid_t = 0

    static let journald = "/lib/systemd/systemd-journald"

    /// Starts journald; throws `Unavailable` with the reason when this machine cannot.
    static func start() async throws -> JournaldSandbox {
        guard geteuid() == 0 else { throw Unavailable(description: "journald needs root to run in its own mount namespace") }
        guard FileManager.default.isExecutableFile(atPath: journald) else {
            throw Unavailable(description: "\(journald) is not installed (Debian package systemd)")
        }
        let sandbox = JournaldSandbox()
        try await sandbox.perform { try sandbox.setUp() }
        return sandbox
    }

    /// Runs `work` on the namespaced thread, where `/run/systemd/journal/socket` is this journald.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            worker.submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Asks journald to write out everything it received (`journalctl --sync`), from inside.
    /// Returns false when the request failed (journald busy starting); callers poll anyway.
    @discardableResult
    func sync() async throws -> Bool {
        let log = directory.path + "/sync.log"
        let status = try await perform { try Self.spawnAndWait(["/usr/bin/journalctl", "--sync"], output: log) }
        return status == 0
    }

    /// The entries of the sandbox journal matching `match` (`FIELD=value`), as journalctl's JSON.
    func entries(match: String) throws -> [[String: Any]] {
        let result = try ProcessRunner.run(
            "/usr/bin/journalctl", ["--directory=\(directory.path)/log/journal", "-o", "json", "--no-pager", match])
        guard result.status == 0 || result.standardOutput.isEmpty == false else {
            throw Unavailable(description: "journalctl failed: \(result.standardError)")
        }
        return result.standardOutput.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    /// Waits (bounded) until `count` entries match, syncing journald between looks.
    func waitForEntries(match: String, count: Int) async throws -> [[String: Any]] {
        var found: [[String: Any]] = []
        for _ in 0..<100 {
            try await sync()
            found = try entries(match: match)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        return found
    }

    /// Ends journald (by its PID); the namespace stays, with a socket file nobody listens on.
    func stopJournald() async {
        _ = try? await perform {
            guard self.journaldPID > 0 else { return }
            kill(self.journaldPID, SIGTERM)
            var status: Int32 = 0
            waitpid(self.journaldPID, &status, 0)
            self.journaldPID = 0
        }
    }

    /// Ends journald and the namespaced thread.
    func stop() async {
        await stopJournald()
        worker.finish()
    }

    // MARK: On the namespaced thread

    private func setUp() throws {
        guard Self.unshareMountNamespace() == 0 else {
            throw Unavailable(description: "unshare(CLONE_NEWNS) failed: \(String(cString: strerror(errno)))")
        }
        let log = directory.path + "/log"
        try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: true)
        let steps: [[String]] =
            [
                ["/usr/bin/mount", "--make-rprivate", "/"],
                ["/usr/bin/mount", "-t", "tmpfs", "tmpfs", "/run/systemd"],
                ["/usr/bin/mkdir", "-p", "/run/systemd/journal"],
                ["/usr/bin/mount", "--bind", log, "/run/log"],
            ]
            + (FileManager.default.fileExists(atPath: "/var/log/journal")
                ? [["/usr/bin/mount", "-t", "tmpfs", "tmpfs", "/var/log/journal"]] : [])
        for step in steps {
            let status = try Self.spawnAndWait(step, output: directory.path + "/setup.log")
            guard status == 0 else {
                let log = (try? String(contentsOfFile: directory.path + "/setup.log", encoding: .utf8)) ?? ""
                throw Unavailable(description: "\(step.joined(separator: " ")) exited \(status): \(log)")
            }
        }
        journaldPID = try Self.spawn([Self.journald], output: directory.path + "/journald.log")
        for _ in 0..<250 {
            if JournalSocket.isAnswering() { return }
            var status: Int32 = 0
            if waitpid(journaldPID, &status, WNOHANG) == journaldPID {
                let log = (try? String(contentsOfFile: directory.path + "/journald.log", encoding: .utf8)) ?? ""
                throw Unavailable(description: "systemd-journald exited at start: \(log)")
            }
            usleep(20_000)
        }
        throw Unavailable(description: "systemd-journald did not open its socket within 5 s")
    }

    /// unshare(CLONE_NEWNS). Glibc's Swift overlay is built without _GNU_SOURCE and does not
    /// declare unshare(2), so it is looked up in the C library by name.
    static func unshareMountNamespace() -> Int32 {
        let cloneNewNS: Int32 = 0x0002_0000  // <bits/sched.h>: CLONE_NEWNS
        guard let symbol = dlsym(nil, "unshare") else {
            errno = ENOSYS
            return -1
        }
        typealias Unshare = @convention(c) (Int32) -> Int32
        return unsafeBitCast(symbol, to: Unshare.self)(cloneNewNS)
    }

    /// posix_spawn from the calling thread, so the child inherits this thread's mount namespace.
    ///
    /// No descriptor but 0, 1 and 2 reaches the child: tests beside this one hold pipes to
    /// their own children (Foundation's `Pipe` is not close-on-exec), and a journald that kept
    /// a copy of one would keep that test waiting for an end of file that never comes.
    static func spawn(_ arguments: [String], output: String?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let target = output ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        threadkeeper_spawn_close_from(&actions, 3)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { environment.forEach { free($0) } }
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, environment)
        guard result == 0 else { throw Unavailable(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))") }
        return pid
    }

    static func spawnAndWait(_ arguments: [String], output: String?) throws -> Int32 {
        let pid = try spawn(arguments, output: output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

/// A thread that runs submitted closures one after another until finished.
final class NamespaceWorker: @unchecked Sendable {
    // `condition` guards `jobs` and `finished`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var finished = false

    init() {
        let thread = Thread { [self] in self.loop() }
        thread.name = "journald-sandbox"
        thread.start()
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty && finished {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
