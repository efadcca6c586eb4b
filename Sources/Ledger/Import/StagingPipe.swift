import Foundation

/// Batches of parsed threads on their way from the thread that reads the import file to
/// the thread that writes them to the staging table, so parsing and SQLite overlap.
///
/// At most `capacity` batches wait: a fast reader blocks instead of filling memory, and
/// memory stays flat for any input size. Either end reports its failure with `fail(_:)`:
/// the writer's makes the reader's next `send` throw it (a full disk stops the reading too),
/// the reader's makes the writer's next `receive` end.
final class StagingPipe: @unchecked Sendable {
    // Every stored property below is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var batches: [[ThreadImport]] = []
    private var closed = false
    private var failure: (any Error)?
    private let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "a pipe holds at least one batch")
        self.capacity = capacity
    }

    /// Queues `batch`, waiting while the pipe is full; throws the writer's failure.
    func send(_ batch: [ThreadImport]) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity, failure == nil { condition.wait() }
        if let failure { throw failure }
        batches.append(batch)
        condition.broadcast()
    }

    /// Tells the writer no more batches come.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, waiting for one; nil once the pipe is closed and empty, or failed.
    func receive() -> [ThreadImport]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, !closed, failure == nil { condition.wait() }
        guard failure == nil, !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Records a failure of either end (the first one) and drops what waits.
    func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The failure recorded by either end, if any.
    var recordedFailure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }
}
