/// The pure state of the process-wide limiter: a token bucket whose rate adapts to the server.
///
/// `reserve(now:)` hands out start times: the bucket holds at most `burst` tokens and refills
/// at the current rate, so no window of one second ever holds more than `rate + burst` starts.
/// A reservation may put the bucket in debt; the caller sleeps until its start time.
///
/// The rate adapts to what answers say (`record(_:now:)`):
/// - `Retry-After` pauses every reservation until it has passed, and empties the bucket so the
///   first requests after the pause come at the steady rate, not as a burst.
/// - `x-ratelimit-remaining-requests: 0` with `x-ratelimit-reset-requests` pauses until the
///   server has one request again (`reset / limit`: the server refills `limit` in `reset`). When
///   that refill rate is below ours by more than 3%, the rate drops to just under it. A server
///   with room (`remaining` above zero) never lowers the rate, and one refilling at our rate
///   does not either: at full budget, `remaining` near zero is the steady state.
/// - A 429 lowers the rate (once per round: answers to requests sent before the last decrease
///   do not count again): to just under the server's refill rate when its headers tell it, else
///   by `decreaseFactor`. The rate then climbs back within `recoveryTime` to
///   halfway between where it fell to and the rate that failed, and on past it slowly (additive
///   increase), so a budget set too high halves its distance to the server's real limit with
///   each 429 and then stays just under it.
public struct RateLimiterCore: Sendable, Hashable {
    public struct Settings: Sendable, Hashable {
        /// The configured rate (requests per second): the limiter never goes faster.
        public var rate: Double
        /// Tokens the bucket holds when full.
        public var burst: Double
        /// The factor a 429 multiplies the rate by.
        public var decreaseFactor: Double
        /// The rate never drops below this.
        public var minimumRate: Double
        /// Seconds to climb from a decrease back to just under the rate that failed.
        public var recoveryTime: Double
        /// After the recovery, the climb per second, as a fraction of the rate that failed.
        public var probeFraction: Double
        /// How far back from the lowered rate towards the one that failed to climb within `recoveryTime`.
        public var recoveryShare: Double

        public init(
            rate: Double, burst: Double, decreaseFactor: Double = 0.5, minimumRate: Double? = nil,
            recoveryTime: Double = 1, probeFraction: Double = 0.005, recoveryShare: Double = 0.5
        ) {
            self.rate = rate
            self.burst = max(1, burst)
            self.decreaseFactor = decreaseFactor
            self.minimumRate = minimumRate ?? min(rate, max(0.05, rate / 1000))
            self.recoveryTime = recoveryTime
            self.probeFraction = probeFraction
            self.recoveryShare = recoveryShare
        }
    }

    public let settings: Settings
    /// Tokens in the bucket at `accountedUntil`; negative when reservations are ahead of it.
    public private(set) var tokens: Double
    private var accountedUntil: Double
    /// No request starts before this time.
    public private(set) var pausedUntil: Double
    /// The rate right after the last decrease, and when it happened.
    private var floorRate: Double?
    private var decreasedAt: Double
    /// The rate that last drew a 429 (or that the headers revealed as the server's).
    public private(set) var ceilingRate: Double?
    /// How many times the rate was lowered.
    public private(set) var decreases: Int = 0

    public init(settings: Settings, now: Double) {
        self.settings = settings
        tokens = settings.burst
        accountedUntil = now
        pausedUntil = -Double.infinity
        decreasedAt = -Double.infinity
    }

    /// The rate in effect at `now`.
    public func rate(at now: Double) -> Double {
        guard let floorRate else { return settings.rate }
        let elapsed = max(0, now - decreasedAt)
        let target = min(settings.rate, floorRate + ((ceilingRate ?? settings.rate) - floorRate) * settings.recoveryShare)
        let rate: Double
        if floorRate >= target {
            rate = floorRate + probeSlope * elapsed
        } else if elapsed < settings.recoveryTime {
            rate = floorRate + (target - floorRate) * elapsed / settings.recoveryTime
        } else {
            rate = target + probeSlope * (elapsed - settings.recoveryTime)
        }
        return min(settings.rate, rate)
    }

    private var probeSlope: Double {
        max(settings.minimumRate, (ceilingRate ?? settings.rate) * settings.probeFraction)
    }

    /// Takes a token and returns when the request may start (`>= now`).
    public mutating func reserve(now: Double) -> Double {
        let from = max(now, pausedUntil)
        refill(to: from)
        tokens -= 1
        if tokens >= 0 { return max(from, accountedUntil) }
        return accountedUntil + (-tokens) / rate(at: accountedUntil)
    }

    /// Gives back a reservation that was never used (the caller was cancelled before its start).
    public mutating func cancelReservation() {
        tokens = min(settings.burst, tokens + 1)
    }

    /// Stops every start until `until`, and empties the bucket so no burst follows the pause.
    public mutating func pause(until: Double, now: Double) {
        guard until > now else { return }
        refill(to: now)
        tokens = min(tokens, 0)
        pausedUntil = max(pausedUntil, until)
        accountedUntil = max(accountedUntil, pausedUntil)
    }

    /// Adapts to one answer (or to a request that got none: `status` nil).
    public mutating func record(_ feedback: RateFeedback, now: Double) {
        if feedback.status == 429 {
            if let retryAfter = feedback.retryAfter {
                pause(until: now + retryAfter, now: now)
            } else {
                // No hint: hold everything for a moment so the server's bucket refills a little.
                pause(until: now + 1 / rate(at: now), now: now)
            }
            if feedback.sentAt >= decreasedAt {
                let current = rate(at: now)
                // When the headers say how fast the server refills, go just under that;
                // otherwise (or when it claims more than we send: others share the budget) back off.
                var lowered = current * settings.decreaseFactor
                if let estimate = feedback.refillRate, estimate < current { lowered = estimate * 0.95 }
                decrease(to: lowered, ceiling: current, now: max(now, pausedUntil))
            }
            return
        }
        guard let remaining = feedback.remaining, remaining < 1, let reset = feedback.reset, reset > 0 else { return }
        // The server is out of requests: wait until it has one again.
        let oneRequest = feedback.limit.map { $0 >= 1 ? reset / $0 : reset } ?? reset
        pause(until: now + min(oneRequest, reset), now: now)
        if let estimate = feedback.refillRate, feedback.sentAt >= decreasedAt {
            let current = rate(at: now)
            // Settle a little under the server's rate so its bucket refills instead of running dry.
            if estimate < current * 0.97 { decrease(to: estimate * 0.98, ceiling: estimate, now: now) }
        }
    }

    private mutating func decrease(to lowered: Double, ceiling: Double, now: Double) {
        refill(to: now)
        floorRate = max(settings.minimumRate, min(lowered, settings.rate))
        ceilingRate = ceiling
        decreasedAt = now
        decreases += 1
    }

    private mutating func refill(to time: Double) {
        guard time > accountedUntil else { return }
        // The rate changes slowly; the rate at the midpoint integrates it well enough.
        let rate = self.rate(at: (accountedUntil + time) / 2)
        tokens = min(settings.burst, tokens + (time - accountedUntil) * rate)
        accountedUntil = time
    }
}
