import Synchronization

/// Named gates a test opens to let waiting tasks continue (a run that ends when told).
public final class Gates: Sendable {
    private struct State {
        var open: Set<String> = []
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func wait(_ name: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state in
                if state.open.contains(name) { return true }
                state.waiting[name, default: []].append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    /// Opens `name`: current and later waiters pass.
    public func open(_ name: String) {
        let waiting = state.withLock { state in
            state.open.insert(name)
            return state.waiting.removeValue(forKey: name) ?? []
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Lets the current waiters pass but keeps the gate shut for later ones.
    public func pulse(_ name: String) {
        let waiting = state.withLock { $0.waiting.removeValue(forKey: name) ?? [] }
        for continuation in waiting { continuation.resume() }
    }
}

/// An async sequence of values a test awaits one by one.
public struct Events<Value: Sendable>: Sendable {
    public let stream: AsyncStream<Value>
    public let continuation: AsyncStream<Value>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Value.self)
    }

    public func yield(_ value: Value) { continuation.yield(value) }
}

/// Reads values from an `AsyncStream` in order, across awaits.
public actor EventReader<Value: Sendable> {
    private var iterator: AsyncStream<Value>.Iterator

    public init(_ events: Events<Value>) {
        iterator = events.stream.makeAsyncIterator()
    }

    public func next() async -> Value? {
        // The iterator is a handle on the stream's shared storage: advancing a copy advances it.
        var copy = iterator
        defer { iterator = copy }
        return await copy.next(isolation: self)
    }

    /// Skips values until one satisfies `predicate`; returns it.
    public func next(where predicate: @Sendable (Value) -> Bool) async -> Value? {
        while let value = await next() {
            if predicate(value) { return value }
        }
        return nil
    }
}

/// Keeps every value yielded, in order, and lets a test wait for one matching a predicate
/// without losing the others (when the order of independent events is not fixed).
public final class Recorder<Value: Sendable>: Sendable {
    private struct Waiter {
        var from: Int
        var predicate: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<(Int, Value), Never>
    }

    private struct State {
        var values: [Value] = []
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func record(_ value: Value) {
        let ready: [(CheckedContinuation<(Int, Value), Never>, Int)] = state.withLock { state in
            state.values.append(value)
            let index = state.values.count - 1
            var ready: [(CheckedContinuation<(Int, Value), Never>, Int)] = []
            state.waiters.removeAll { waiter in
                guard index >= waiter.from, waiter.predicate(value) else { return false }
                ready.append((waiter.continuation, index))
                return true
            }
            return ready
        }
        for (continuation, index) in ready { continuation.resume(returning: (index, value)) }
    }

    public var all: [Value] { state.withLock { $0.values } }

    /// The first value at or after `from` satisfying `predicate`, waiting for it if needed.
    public func first(from: Int = 0, where predicate: @escaping @Sendable (Value) -> Bool) async -> (index: Int, value: Value) {
        await withCheckedContinuation { (continuation: CheckedContinuation<(Int, Value), Never>) in
            let found: (Int, Value)? = state.withLock { state in
                if let index = state.values.indices.first(where: { $0 >= from && predicate(state.values[$0]) }) {
                    return (index, state.values[index])
                }
                state.waiters.append(Waiter(from: from, predicate: predicate, continuation: continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }
}
