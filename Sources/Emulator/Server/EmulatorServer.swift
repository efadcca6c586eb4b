import Foundation
import Synchronization

/// A running emulator of the Threads API on a loopback socket.
///
/// Tests start one in-process on port 0 and point a client at `baseURL`; the `threadkeeper-emulator`
/// executable wraps the same type.
public final class EmulatorServer: Sendable {
    /// The port the server listens on (the kernel's choice when started with port 0).
    public let port: Int
    public let host: String
    let shared: SharedCore
    private let loops: [EventLoop]
    private let listenFD: Int32
    private let finished: DispatchGroup
    private let stopped = Atomic<Bool>(false)
    private let stateFile: String?

    /// `http://HOST:PORT`, without a trailing slash and without `/v1`.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// Seeds, exports if asked, binds and starts serving; returns once the port accepts connections.
    public static func start(_ options: EmulatorOptions) async throws(EmulatorError) -> EmulatorServer {
        try EmulatorServer(options)
    }

    private init(_ options: EmulatorOptions) throws(EmulatorError) {
        let now = options.clock()
        let randomSeed = options.seedRandom ?? UInt64.random(in: .min ... .max)
        var store = ThreadStore(seed: randomSeed ^ 0x7EAD_0001)
        var restored: EmulatorStats?
        if let stateFile = options.stateFile, let (saved, stats) = try StateFile.load(from: stateFile, seed: randomSeed ^ 0x7EAD_0001) {
            // A state file that holds threads wins over --seed: the restarted emulator continues the earlier run.
            store = saved
            restored = stats
        } else {
            Seeder.seed(into: &store, count: options.seedCount, age: options.seedAge, randomSeed: randomSeed, now: now)
        }
        if let seedFile = options.seedFile {
            for thread in try Seeder.threads(fromJSONL: try Seeder.readFile(seedFile), path: seedFile) { store.insert(thread) }
        }
        if let exportFile = options.exportFile {
            try Seeder.export(store, to: exportFile)
        }
        Socket.raiseDescriptorLimit()
        let (fd, port) = try Socket.listen(host: options.host, port: options.port)
        self.listenFD = fd
        self.port = port
        self.host = options.host
        self.stateFile = options.stateFile
        var router = ThreadsRouter(apiKey: options.apiKey, limits: options.limits)
        router.flavor = options.flavor
        var core = EmulatorCore(store: store, router: router, faults: options.faults, seed: randomSeed, now: Self.monotonicSeconds())
        if let restored { core.restore(restored) }
        let shared = SharedCore(core, clock: options.clock)
        self.shared = shared
        var loops: [EventLoop] = []
        for _ in 0..<max(1, options.eventLoops) {
            do {
                loops.append(
                    try EventLoop(listenFD: fd, limits: options.limits, timeouts: options.timeouts, handler: shared.handle))
            } catch {
                close(fd)
                throw error
            }
        }
        self.loops = loops
        finished = DispatchGroup()
        for loop in loops {
            finished.enter()
            let group = finished
            let thread = Thread {
                loop.run()
                group.leave()
            }
            thread.name = "emulator-loop"
            thread.start()
        }
    }

    static func monotonicSeconds() -> Double {
        Double(Socket.monotonicNanos()) / 1_000_000_000
    }

    /// Runs one request through the emulator without a socket (what each connection does).
    public func handle(_ request: EmulatorRequest) -> EmulatorDecision {
        shared.handle(request)
    }

    /// Stops accepting, closes every connection and waits for the loops to end.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for loop in loops { loop.stop() }
        let group = finished
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
        close(listenFD)
    }

    public func stats() async -> EmulatorStats {
        shared.withCore { $0.stats }
    }

    public func threadIsLive(_ id: String) async -> Bool {
        shared.withCore { $0.store.isLive(id) }
    }

    public func liveThreadIDs() async -> Set<String> {
        shared.withCore { $0.store.liveIDs }
    }

    /// The metadata of a live thread, or nil.
    public func metadata(ofThread id: String) async -> [String: String]? {
        shared.withCore { core in
            core.store.thread(id).map { Dictionary($0.metadata, uniquingKeysWith: { _, last in last }) }
        }
    }

    /// Adds a thread directly, with any `created_at` and metadata (the API cannot backdate a thread).
    ///
    /// `messageTimes` gives the `created_at` of each message, oldest first. Returns the thread id.
    @discardableResult
    public func insertThread(
        id: String? = nil, createdAt: Int64, metadata: [String: String] = [:], messageTimes: [Int64] = []
    ) async -> String {
        shared.withCore { core in
            let threadID = id ?? core.store.newThreadID()
            var messages: [StoredMessage] = []
            for (index, time) in messageTimes.enumerated() {
                messages.append(
                    StoredMessage(
                        id: core.store.newMessageID(), createdAt: time, role: index % 2 == 0 ? "user" : "assistant",
                        content: [.text("message \(index + 1)")]))
            }
            core.store.insert(
                StoredThread(
                    id: threadID, createdAt: createdAt, metadata: metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                    messages: .stored(messages)))
            return threadID
        }
    }

    /// Adds a thread directly with whole messages, as an assistant's run leaves them
    /// (annotations, attachments, image files, status fields), which no client call can create.
    ///
    /// Returns the thread id.
    @discardableResult
    public func insertThread(
        id: String? = nil, createdAt: Int64, metadata: [String: String] = [:], messages: [StoredMessage]
    ) async -> String {
        shared.withCore { core in
            let threadID = id ?? core.store.newThreadID()
            core.store.insert(
                StoredThread(
                    id: threadID, createdAt: createdAt, metadata: metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                    messages: .stored(messages)))
            return threadID
        }
    }

    /// Changes limits and faults while running.
    public func setFaults(_ faults: EmulatorFaults) async {
        let now = Self.monotonicSeconds()
        shared.withCore { $0.setFaults(faults, now: now) }
    }

    /// Saves threads and counters to the `--state` file (nothing without one).
    public func saveState() async throws(EmulatorError) {
        guard let stateFile else { return }
        let (store, stats) = shared.withCore { ($0.store, $0.stats) }
        try StateFile.save(store, stats: stats, to: stateFile)
    }

    /// Writes the live threads as JSONL, as `--export` does.
    public func export(to path: String) async throws(EmulatorError) {
        let store = shared.withCore { $0.store }
        try Seeder.export(store, to: path)
    }
}

/// The core behind a pthread mutex (`NSLock`), shared by the server and its event loops.
///
/// Not `Synchronization.Mutex`: on Linux its contended path hands the lock to the next thread
/// inside the kernel (a priority-inheritance futex), which the thread sanitizer cannot see, so
/// every request served by two event loops at once was reported as a race. The sanitizer
/// intercepts pthread mutexes, so with this lock `scripts/tsan` checks what it really protects.
final class SharedCore: @unchecked Sendable {
    // @unchecked: `core` is read and written only inside `withCore`, under `lock`.
    private let lock = NSLock()
    private var core: EmulatorCore
    let clock: @Sendable () -> Int64

    init(_ core: EmulatorCore, clock: @escaping @Sendable () -> Int64) {
        self.core = core
        self.clock = clock
    }

    func withCore<Result>(_ body: (inout EmulatorCore) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&core)
    }

    @Sendable func handle(_ request: EmulatorRequest) -> EmulatorDecision {
        let wall = clock()
        let monotonic = EmulatorServer.monotonicSeconds()
        return withCore { $0.handle(request, wallSeconds: wall, monotonic: monotonic) }
    }
}
