import CProcess
import Foundation

/// One running `threadkeeper-http`: its process, the socket to it, the requests waiting for an
/// answer and the thread that reads the answers.
///
/// Every continuation is resumed exactly once: by its answer, by `expire`, or by the end of
/// the helper (`end`), whichever comes first; the pending table decides under its lock.
final class HelperConnection: Sendable {
    typealias Continuation = CheckedContinuation<HTTPResponse, any Error>

    private struct Table {
        var pending: [UInt64: Continuation] = [:]
        /// Why the helper ended; nil while it runs.
        var ended: TransportError?
    }

    let pid: pid_t
    private let socket: Int32
    private let table = Locked(Table())
    /// Serializes writes so frames never interleave. (A plain lock: a `Locked<Void>`'s inout access
    /// to its empty value is reported by the thread sanitizer as a race on the object itself.)
    private let writer = NSLock()

    private init(pid: pid_t, socket: Int32) {
        self.pid = pid
        self.socket = socket
    }

    deinit {
        close(socket)
    }

    /// Starts the helper at `executable` and the thread that reads its answers.
    static func start(executable: String, arguments: [String]) throws(TransportError) -> HelperConnection {
        var sockets: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sockets) == 0 else {
            throw TransportError(.other, "cannot make a socket pair for \(executable): \(String(cString: strerror(errno)))")
        }
        defer { close(sockets[1]) }
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments: arguments, socket: sockets[1])
        } catch {
            close(sockets[0])
            throw error
        }
        let connection = HelperConnection(pid: pid, socket: sockets[0])
        let reader = Thread { connection.readAnswers() }
        reader.name = "threadkeeper-http reader"
        reader.start()
        return connection
    }

    /// posix_spawn(3) of the helper with `socket` as its standard input and output.
    ///
    /// The child starts with every signal at its default action and the stop signals blocked,
    /// so a Ctrl-C or a `systemctl stop` that reaches the group while it starts waits until the
    /// helper has set them to be ignored (`HelperServer.ignoreStopSignals`); no descriptor but
    /// 0, 1 and 2 reaches it (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34).
    private static func spawn(_ executable: String, arguments: [String], socket: Int32) throws(TransportError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, socket, 0)
        posix_spawn_file_actions_adddup2(&actions, socket, 1)
        threadkeeper_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in HelperTransport.stopSignals { sigaddset(&stopSignals, signal) }
        posix_spawnattr_setsigmask(&attributes, &stopSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv + [nil], environ)
        guard status == 0 else {
            throw TransportError(.other, "cannot start the HTTP helper \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    var isEnded: Bool { table.withLock { $0.ended != nil } }

    var pendingCount: Int { table.withLock { $0.pending.count } }

    /// Registers `continuation` for request `id` and sends the request to the helper; called
    /// from the task that sends it.
    ///
    /// The task's cancellation is read under the table's lock: a cancel sets it before its handler
    /// (`cancel(id:)`) takes that lock, so either the request is refused here or the handler
    /// finds it pending and stops it at the helper.
    func submit(id: UInt64, request: HTTPRequest, continuation: Continuation) {
        enum Decision { case send, fail(TransportError) }
        let decision = table.withLock { table -> Decision in
            if let ended = table.ended { return .fail(ended) }
            if Task.isCancelled { return .fail(TransportError(.other, "cancelled")) }
            table.pending[id] = continuation
            return .send
        }
        switch decision {
        case .fail(let error):
            continuation.resume(throwing: error)
        case .send:
            write(HelperFrame.encode(.request(id: id, request)))
        }
    }

    /// Asks the helper to stop request `id`; its answer still settles it.
    func cancel(id: UInt64) {
        if table.withLock({ $0.pending[id] != nil }) { write(HelperFrame.encode(.cancel(id: id))) }
    }

    /// Fails request `id` as timed out when it is still waiting.
    func expire(id: UInt64) {
        guard let continuation = table.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        continuation.resume(throwing: TransportError(.timedOut, "the HTTP helper gave no answer within the timeout"))
        write(HelperFrame.encode(.cancel(id: id)))
    }

    /// Closes this side for writing: the helper reads the end of its input and exits.
    func finish() {
        writer.lock()
        defer { writer.unlock() }
        _ = shutdown(socket, Int32(SHUT_WR))
    }

    /// Sends one frame whole; a helper that stopped reading is ended.
    private func write(_ frame: [UInt8]) {
        writer.lock()
        let failure = HelperFrame.write(frame, to: socket)
        writer.unlock()
        if let failure {
            end(
                TransportError(.connectionReset, "the HTTP helper stopped reading: \(String(cString: strerror(failure)))"),
                kill: true)
        }
    }

    /// The reader thread: answers in, continuations resumed, until the helper's output ends;
    /// then the helper is reaped.
    private func readAnswers() {
        let maxFrameBytes = HelperTransport.maxResponseBytesLimit + HelperFrame.maxHeaderBytes + 8
        switch HelperFrame.readMessages(from: socket, maxFrameBytes: maxFrameBytes, settle) {
        case .endOfInput:
            end(
                TransportError(.connectionReset, "the HTTP helper \(HelperTransport.executableName) ended before it answered"),
                kill: false)
        case .unreadable(let error):
            end(TransportError(.other, "the HTTP helper's answer cannot be read: \(error)"), kill: true)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private func settle(_ message: HelperMessage) {
        let result: Result<HTTPResponse, TransportError>
        switch message {
        case .response(_, let response): result = .success(response)
        case .failure(_, let error): result = .failure(error)
        case .request, .cancel: return
        }
        guard let continuation = table.withLock({ $0.pending.removeValue(forKey: message.id) }) else { return }
        continuation.resume(with: result.mapError { $0 as any Error })
    }

    /// Fails every waiting request with `error` and stops talking to the helper (SIGKILL when it
    /// misbehaved); the reader thread reaps it once its output ends.
    private func end(_ error: TransportError, kill killIt: Bool) {
        // The kill happens under the lock that marks the end: the reader reaps only after its own
        // `end` has passed that lock, so the signal never reaches a reaped (reusable) process ID.
        let waiting = table.withLock { table -> [Continuation]? in
            guard table.ended == nil else { return nil }
            table.ended = error
            if killIt { _ = kill(pid, SIGKILL) }
            defer { table.pending.removeAll() }
            return Array(table.pending.values)
        }
        guard let waiting else { return }
        for continuation in waiting { continuation.resume(throwing: error) }
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }
}
