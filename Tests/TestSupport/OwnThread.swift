import Foundation

/// Runs blocking `work` on a thread of its own and returns its result.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread a core: a test
/// that blocks one for long (a large SQLite statement, a child process, a polling loop) starves
/// the emulators and clients of every test running beside it, whose deadlines then pass while
/// they wait for a thread. Expectations stay in the caller: `work` only computes.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// `onOwnThread` for work that cannot fail.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
