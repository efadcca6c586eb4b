import Foundation

/// A value behind a pthread mutex (`NSLock`), shared by concurrent calls and URLSession's delegate queue.
///
/// Not `Synchronization.Mutex`: on Linux its contended path hands the lock to the next thread
/// inside the kernel (a priority-inheritance futex), which the thread sanitizer cannot see, so
/// the table of URLSession's pending tasks was reported as a race. The sanitizer intercepts
/// pthread mutexes, so with this lock `scripts/tsan` checks what it really protects.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is read and written only inside `withLock`, under `lock`.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
