/// One client connection, owned by the event loop that accepted it.
final class Connection {
    let fd: Int32
    var parser: HTTPRequestParser
    /// Bytes to send; `outputOffset` of them are sent.
    var output: [UInt8] = []
    var outputOffset = 0
    /// An answer held back by `--latency`, sent when `heldUntil` passes.
    var heldResponse: [UInt8]?
    var heldUntil: UInt64 = 0
    /// Close once `output` is sent (a `Connection: close` request, a parse failure, or a half-closed peer).
    var closeAfterWrite = false
    var closed = false
    /// Last read or write progress (monotonic ns), for the idle timeout.
    var lastActivity: UInt64
    /// When the current request's first byte arrived, for the request timeout.
    var requestStarted: UInt64?
    /// The epoll events currently registered.
    var registered: UInt32

    init(fd: Int32, limits: HTTPLimits, now: UInt64, registered: UInt32) {
        self.fd = fd
        self.parser = HTTPRequestParser(limits: limits)
        self.lastActivity = now
        self.registered = registered
    }

    var pendingOutput: Int { output.count - outputOffset }
}

/// A min-heap of held answers by due time.
struct HeldResponses {
    private var items: [(due: UInt64, connection: Connection)] = []

    var isEmpty: Bool { items.isEmpty }
    var nextDue: UInt64? { items.first?.due }

    mutating func push(_ due: UInt64, _ connection: Connection) {
        items.append((due, connection))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].due < items[parent].due else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popDue(_ now: UInt64) -> Connection? {
        guard let first = items.first, first.due <= now else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count && items[left].due < items[smallest].due { smallest = left }
                if right < items.count && items[right].due < items[smallest].due { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first.connection
    }

    mutating func removeAll() { items.removeAll() }
}
