import Foundation
import Synchronization

/// A loopback server that answers every connection with the same canned bytes, then keeps
/// writing `trailer` until the client hangs up (or `trailerLimit` bytes went out).
///
/// Tests use it as a hostile API server and as a proxy that records what reached it.
///
/// `@unchecked Sendable`: the socket is set once in `init`; counters are behind their lock.
public final class CannedServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let state = Mutex((connections: 0, written: 0, requests: [String]()))
    private let head: [UInt8]
    private let trailer: [UInt8]
    private let trailerLimit: Int

    public var connections: Int { state.withLock { $0.connections } }
    public var bytesWritten: Int { state.withLock { $0.written } }
    /// The head of every request received (request line and headers), in order.
    public var requests: [String] { state.withLock { $0.requests } }

    public init(head: String, trailer: [UInt8] = [], trailerLimit: Int = 0) throws {
        self.head = Array(head.utf8)
        self.trailer = trailer
        self.trailerLimit = trailerLimit
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        listener = descriptor
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        signal(SIGPIPE, SIG_IGN)
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            state.withLock { $0.connections += 1 }
            // Read the request head (the client sends no body here).
            var request: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { break }
                request += chunk[0..<count]
            }
            let received = String(decoding: request, as: UTF8.self)
            state.withLock { $0.requests.append(received) }
            var sent = write(connection, head, head.count)
            while sent > 0, !trailer.isEmpty, state.withLock({ $0.written }) < trailerLimit {
                sent = write(connection, trailer, trailer.count)
                if sent > 0 { state.withLock { $0.written += sent } }
            }
            close(connection)
        }
    }
}
