/// The limits and faults the emulator imposes, changeable while it runs.
public struct EmulatorFaults: Sendable, Equatable {
    /// Requests a second over all clients (`--rps`); nil means no limit.
    public var requestsPerSecond: Double?
    /// Requests that may arrive at once (`--burst`); defaults to the rate rounded up.
    public var burst: Int?
    /// Added latency in milliseconds (`--latency`), with ±25% jitter.
    public var latencyMilliseconds: Int
    /// Share of requests answered 500/502/503 (`--fail-rate`), 0…1.
    public var failRate: Double
    /// Share of requests whose connection is closed without an answer (`--reset-rate`), 0…1.
    public var resetRate: Double
    /// `POST /threads/{id}` merges the sent metadata into the thread's instead of replacing it
    /// (`--merge-metadata`), as a provider might: an untag then keeps the key.
    public var mergesMetadata: Bool
    /// `DELETE /threads/{id}` answers 200 `"deleted": false` and keeps the thread (`--refuse-deletes`).
    public var refusesDeletes: Bool
    /// Every thread call with the right key answers 403 (`--forbid`): an account out of credits,
    /// as AI/ML API answers, or a key without access to the API.
    public var forbidsAccess = false

    public init(
        requestsPerSecond: Double? = nil, burst: Int? = nil, latencyMilliseconds: Int = 0, failRate: Double = 0,
        resetRate: Double = 0, mergesMetadata: Bool = false, refusesDeletes: Bool = false
    ) {
        self.mergesMetadata = mergesMetadata
        self.refusesDeletes = refusesDeletes
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.latencyMilliseconds = latencyMilliseconds
        self.failRate = failRate
        self.resetRate = resetRate
    }

    /// No limits and no faults.
    public static let none = EmulatorFaults()

    var bucketCapacity: Double {
        if let burst { return Double(max(1, burst)) }
        return max(1, (requestsPerSecond ?? 1).rounded(.up))
    }
}
