/// What the server does with one request.
public enum EmulatorDecision: Sendable, Equatable {
    /// Answer, after `delay` seconds.
    case respond(EmulatorResponse, delay: Double)
    /// Close the connection without an answer (`--reset-rate`).
    case reset
}

/// The emulator's whole mutable state and its request pipeline: stats, rate limit, faults, then the router.
///
/// A value type driven with explicit time (wall-clock Unix seconds for `created_at`, monotonic seconds for
/// the token bucket), so that every decision can be tested without a socket or a sleep. The server keeps
/// one behind a lock (`SharedCore`).
public struct EmulatorCore: Sendable {
    public var store: ThreadStore
    public var router: ThreadsRouter
    public private(set) var faults: EmulatorFaults
    private var bucket: TokenBucket?
    private var random: SplitMix64
    private var counters = EmulatorStats()
    private var currentSecond: Int64 = .min
    private var requestsThisSecond = 0
    private var requestSerial: UInt64 = 0
    private let requestPrefix: UInt64
    private var dateSecond: Int64 = .min
    private var dateText = ""

    public init(store: ThreadStore, router: ThreadsRouter, faults: EmulatorFaults, seed: UInt64, now: Double) {
        self.store = store
        self.router = router
        self.faults = faults
        self.random = SplitMix64(seed: seed ^ 0x5EED_FA17)
        self.requestPrefix = random.next()
        setFaults(faults, now: now)
    }

    public mutating func setFaults(_ faults: EmulatorFaults, now: Double) {
        self.faults = faults
        router.mergesMetadata = faults.mergesMetadata
        router.refusesDeletes = faults.refusesDeletes
        router.forbidsAccess = faults.forbidsAccess
        if let rate = faults.requestsPerSecond, rate > 0 {
            bucket = TokenBucket(rate: rate, capacity: faults.bucketCapacity, now: now)
        } else {
            bucket = nil
        }
    }

    /// Takes over counters saved in a state file.
    public mutating func restore(_ stats: EmulatorStats) {
        counters.totalRequests = stats.totalRequests
        counters.requestsByMethod = stats.requestsByMethod
        counters.requestsByStatus = stats.requestsByStatus
        counters.peakRequestsPerSecond = stats.peakRequestsPerSecond
        counters.resets = stats.resets
    }

    public var stats: EmulatorStats {
        var result = counters
        result.liveThreads = store.liveCount
        result.deletedThreads = store.deletedCount
        result.repeatedDeletes = store.repeatedDeletes
        return result
    }

    /// Runs one request through the pipeline.
    public mutating func handle(_ request: EmulatorRequest, wallSeconds: Int64, monotonic: Double) -> EmulatorDecision {
        if request.target.utf8.starts(with: "/_emulator/".utf8) {
            return .respond(emulatorEndpoint(request), delay: 0)
        }
        count(request, wallSeconds: wallSeconds)
        let requestID = nextRequestID()
        let flavor = router.flavor
        var rateHeaders: [(name: String, value: String)]
        if var bucket {
            let wait = bucket.take(now: monotonic)
            self.bucket = bucket
            rateHeaders = [
                ("x-ratelimit-limit-requests", String(Int(bucket.capacity))),
                ("x-ratelimit-remaining-requests", String(bucket.remaining)),
                ("x-ratelimit-reset-requests", TokenBucket.formatReset(bucket.secondsUntilFull)),
            ]
            if let wait {
                let retryAfter = max(1, Int(wait.rounded(.up)))
                let error = APIErrorResponse.rateLimited(retryAfter: retryAfter)
                return finish(
                    flavor.response(error, path: request.path, requestID: requestID, now: wallSeconds), headers: rateHeaders,
                    requestID: requestID, wallSeconds: wallSeconds)
            }
        } else {
            rateHeaders = Self.unlimitedHeaders
        }
        if faults.resetRate > 0, random.unit() < faults.resetRate {
            counters.resets += 1
            return .reset
        }
        if faults.failRate > 0, random.unit() < faults.failRate {
            let status = [500, 502, 503][random.below(3)]
            let error = APIErrorResponse.serverFault(status)
            return finish(
                flavor.response(error, path: request.path, requestID: requestID, now: wallSeconds), headers: rateHeaders,
                requestID: requestID, wallSeconds: wallSeconds)
        }
        let response = router.respond(to: request, store: &store, now: wallSeconds, requestID: requestID)
        return finish(response, headers: rateHeaders, requestID: requestID, wallSeconds: wallSeconds)
    }

    static let unlimitedHeaders: [(name: String, value: String)] = [
        ("x-ratelimit-limit-requests", "1000000000"),
        ("x-ratelimit-remaining-requests", "999999999"),
        ("x-ratelimit-reset-requests", "0s"),
    ]

    private mutating func finish(
        _ response: EmulatorResponse, headers: [(name: String, value: String)], requestID: String, wallSeconds: Int64
    ) -> EmulatorDecision {
        var response = response
        response.headers.reserveCapacity(response.headers.count + headers.count + 2)
        response.headers.append(contentsOf: headers)
        response.headers.append(("x-request-id", requestID))
        // RFC 9110 8.6.1: an origin server with a clock sends Date; `doctor` compares it with the local clock.
        if wallSeconds != dateSecond {
            dateSecond = wallSeconds
            dateText = EmulatorFlavor.httpDate(wallSeconds)
        }
        response.headers.append(("date", dateText))
        counters.requestsByStatus[response.status, default: 0] += 1
        var delay = 0.0
        if faults.latencyMilliseconds > 0 {
            delay = Double(faults.latencyMilliseconds) / 1000 * (0.75 + 0.5 * random.unit())
        }
        return .respond(response, delay: delay)
    }

    private mutating func count(_ request: EmulatorRequest, wallSeconds: Int64) {
        counters.totalRequests += 1
        counters.requestsByMethod[request.method, default: 0] += 1
        if wallSeconds != currentSecond {
            currentSecond = wallSeconds
            requestsThisSecond = 0
        }
        requestsThisSecond += 1
        counters.peakRequestsPerSecond = max(counters.peakRequestsPerSecond, requestsThisSecond)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `req_` and 16 hex digits, unique within the process; built in one allocation.
    private mutating func nextRequestID() -> String {
        requestSerial &+= 1
        let value = requestPrefix &+ requestSerial &* 0x9E37_79B9_7F4A_7C15
        return String(unsafeUninitializedCapacity: 20) { buffer in
            buffer[0] = UInt8(ascii: "r")
            buffer[1] = UInt8(ascii: "e")
            buffer[2] = UInt8(ascii: "q")
            buffer[3] = UInt8(ascii: "_")
            for index in 0..<16 {
                buffer[4 + index] = Self.hexDigits[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
            }
            return 20
        }
    }

    private func emulatorEndpoint(_ request: EmulatorRequest) -> EmulatorResponse {
        switch (request.method, request.path) {
        case ("GET", "/_emulator/stats"): return .json(200, stats.json)
        case (_, "/_emulator/stats"): return APIErrorResponse.methodNotAllowed(request.method, request.path, allowed: ["GET"]).response
        default: return APIErrorResponse.invalidURL(request.method, request.path).response
        }
    }
}
