import Foundation
import ThreadsAPI

/// The `threadkeeper-http` helper's loop: requests in on standard input, each sent through
/// `URLSessionTransport` as it comes (at most `maximumConnections` at once, as URLSession
/// allows), answers out on standard output in whatever order they finish.
///
/// It holds no state of its own beyond the requests in flight: the rate limiter, the retries
/// and what an answer means all stay with `HelperTransport` in the process that started it.
/// It never writes a request, an answer or a header anywhere else: the key passes through it.
public final class HelperServer: Sendable {
    private let transport: any HTTPTransport
    private let input: Int32
    private let output: Int32
    private let inFlight = Locked<[UInt64: Task<Void, Never>]>([:])
    /// Serializes writes so frames never interleave (a plain lock, as `HelperConnection`'s).
    private let writer = NSLock()

    public init(transport: any HTTPTransport, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.transport = transport
        self.input = input
        self.output = output
    }

    /// Ignores the signals that reach a whole process group or cgroup, then unblocks them (they
    /// come blocked from `HelperTransport`'s spawn, so none ends the helper while it starts): the
    /// helper ends when its input ends, after the process that started it has had its answers.
    public static func ignoreStopSignals() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in HelperTransport.stopSignals {
            _ = signal(number, SIG_IGN)
            sigaddset(&blocked, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
    }

    /// Serves until the input ends; returns the exit status (0, or 65 when the input was not frames).
    public func serve() -> Int32 {
        switch HelperFrame.readMessages(from: input, maxFrameBytes: 64 << 20, handle) {
        case .endOfInput:
            // The process that started the helper is done with it (or gone).
            return 0
        case .unreadable(let error):
            // Only the frame's shape is named: its bytes may hold the key.
            FileHandle.standardError.write(Data("threadkeeper-http: the input is not request frames: \(error)\n".utf8))
            return 65
        }
    }

    private func handle(_ message: HelperMessage) {
        switch message {
        case .request(let id, let request):
            let transport = self.transport
            // Made under the table's lock, so the task's own removal comes after this insertion.
            inFlight.withLock { inFlight in
                inFlight[id] = Task {
                    let answer: HelperMessage
                    do {
                        answer = .response(id: id, try await transport.send(request))
                    } catch let error as TransportError {
                        answer = .failure(id: id, error)
                    } catch {
                        answer = .failure(id: id, TransportError(.other, String(describing: type(of: error))))
                    }
                    self.inFlight.withLock { _ = $0.removeValue(forKey: id) }
                    self.write(HelperFrame.encode(answer))
                }
            }
        case .cancel(let id):
            inFlight.withLock { $0[id] }?.cancel()
        case .response, .failure:
            break
        }
    }

    /// Writes one frame whole; a closed output (the other side is gone) ends the helper.
    private func write(_ frame: [UInt8]) {
        writer.lock()
        defer { writer.unlock() }
        if HelperFrame.write(frame, to: output) != nil { exit(0) }
    }
}
