/// Why the breaker opened, phrased as the likely cause.
public enum BreakerCause: Sendable, Hashable, CustomStringConvertible {
    /// Consecutive 401/403 answers.
    case authentication(status: Int, count: Int)
    /// Consecutive requests that failed even after all their retries.
    case failures(count: Int)
    /// 404s on threads known to be live made up most of the recent answers.
    case notFound(count: Int, window: Int)

    public var description: String {
        switch self {
        case .authentication(let status, let count) where status == 403:
            // AI/ML API answers 403 when the balance is spent; OpenAI when the key lacks a permission.
            return
                "\(count) requests in a row were refused with 403: the key is known but may not do this; the account may be out of credits or the key may lack access to this api: top up the balance or check the key's permissions (a wrong key answers 401)"
        case .authentication(let status, let count):
            return
                "\(count) requests in a row were refused with \(status): the api key is wrong or revoked; check the key and ApiKeyFile="
        case .failures(let count):
            return "\(count) requests in a row failed after all their retries: the provider looks down or unreachable"
        case .notFound(let count, let window):
            return
                "\(count) of the last \(window) answers were 404 for threads the ledger knows as live: BaseURL= is probably wrong, or the provider no longer serves this api"
        }
    }
}

/// A circuit breaker that stops a client from burning its budget against a dead end: pure,
/// with time passed in.
///
/// It opens on `authenticationFailures` consecutive 401/403, on `exhaustedFailures`
/// consecutive requests that failed after all their retries, or when 404s that the caller
/// marks as counting (answers for threads the ledger knows as live) make up more than
/// `notFoundShare` of the last `notFoundWindow` answers (once at least `notFoundMinimum` of
/// them are 404s). While open every request fails fast; after `cooldown` seconds one request
/// at a time is let through, and a success closes it.
public struct Breaker: Sendable, Hashable {
    public struct Settings: Sendable, Hashable {
        public var authenticationFailures: Int
        public var exhaustedFailures: Int
        public var notFoundWindow: Int
        public var notFoundMinimum: Int
        public var notFoundShare: Double
        public var cooldown: Double

        public init(
            authenticationFailures: Int = 3, exhaustedFailures: Int = 10, notFoundWindow: Int = 50,
            notFoundMinimum: Int = 20, notFoundShare: Double = 0.5, cooldown: Double = 60
        ) {
            self.authenticationFailures = max(1, authenticationFailures)
            self.exhaustedFailures = max(1, exhaustedFailures)
            self.notFoundWindow = max(1, notFoundWindow)
            self.notFoundMinimum = max(1, notFoundMinimum)
            self.notFoundShare = notFoundShare
            self.cooldown = cooldown
        }
    }

    /// What a request ended with, as far as the breaker cares.
    public enum Event: Sendable, Hashable {
        /// Any 2xx answer.
        case success
        /// A 404; `counts` when the caller knows the thread as live.
        case notFound(counts: Bool)
        /// 401 or 403.
        case authenticationFailure(status: Int)
        /// Still failing (5xx, 429, no answer) after every retry.
        case exhausted
        /// Another answer (400, 409, 422…): says nothing about the API's health.
        case otherAnswer
    }

    public enum State: Sendable, Hashable {
        case closed
        case open(BreakerCause, since: Double)
        /// Cooling down is over; the next outcome decides.
        case halfOpen(BreakerCause)
    }

    public let settings: Settings
    public private(set) var state: State = .closed
    private var authenticationRun = 0
    private var exhaustedRun = 0
    private var recent: [Bool] = []
    private var recentNext = 0
    private var recentNotFound = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Nil when a request may go out at `now`; the cause when it must fail fast.
    public mutating func check(now: Double) -> BreakerCause? {
        switch state {
        case .closed, .halfOpen: return nil
        case .open(let cause, let since):
            if now - since >= settings.cooldown {
                state = .halfOpen(cause)
                return nil
            }
            return cause
        }
    }

    /// The cause while open (without moving to half-open).
    public var openCause: BreakerCause? {
        if case .open(let cause, _) = state { return cause }
        return nil
    }

    public mutating func record(_ event: Event, now: Double) {
        switch event {
        case .success:
            authenticationRun = 0
            exhaustedRun = 0
            remember(notFound: false)
            if case .halfOpen = state { reset() }
        case .notFound(let counts):
            authenticationRun = 0
            exhaustedRun = 0
            remember(notFound: counts)
            if recentNotFound >= settings.notFoundMinimum,
                Double(recentNotFound) > settings.notFoundShare * Double(recent.count)
            {
                open(.notFound(count: recentNotFound, window: recent.count), now: now)
            } else if counts, case .halfOpen(let cause) = state {
                open(cause, now: now)
            }
        case .authenticationFailure(let status):
            authenticationRun += 1
            exhaustedRun = 0
            remember(notFound: false)
            if authenticationRun >= settings.authenticationFailures || isHalfOpen {
                open(.authentication(status: status, count: authenticationRun), now: now)
            }
        case .exhausted:
            exhaustedRun += 1
            authenticationRun = 0
            if exhaustedRun >= settings.exhaustedFailures || isHalfOpen {
                open(.failures(count: exhaustedRun), now: now)
            }
        case .otherAnswer:
            authenticationRun = 0
            exhaustedRun = 0
            remember(notFound: false)
            if case .halfOpen = state { reset() }
        }
    }

    private var isHalfOpen: Bool {
        if case .halfOpen = state { return true }
        return false
    }

    private mutating func open(_ cause: BreakerCause, now: Double) {
        state = .open(cause, since: now)
    }

    private mutating func reset() {
        state = .closed
        authenticationRun = 0
        exhaustedRun = 0
        recent.removeAll()
        recentNext = 0
        recentNotFound = 0
    }

    private mutating func remember(notFound: Bool) {
        if recent.count < settings.notFoundWindow {
            recent.append(notFound)
        } else {
            if recent[recentNext] { recentNotFound -= 1 }
            recent[recentNext] = notFound
            recentNext = (recentNext + 1) % settings.notFoundWindow
        }
        if notFound { recentNotFound += 1 }
    }
}
