import CommandLineKit
import Configuration
import Foundation
import Ledger
import Rules
import ThreadsAPI

/// The checks `threadkeeper doctor` makes, and the daemon at start and on reload.
///
/// Nothing is changed: one GET of the probe id at the API, the ledger opened read-only.
struct Doctor {
    let context: CommandContext
    /// `--base-url`, over `BaseURL=`.
    let baseURL: String?
    /// Whether to open the ledger and verify its audit chain (the daemon holds the ledger open
    /// already and does not walk the whole chain on every reload).
    var checksLedger = true
    /// The client to probe with; nil makes one from the config. The daemon passes its runs'
    /// client, so the probe shares their rate limiter and is counted with their requests.
    var client: ThreadsClient?

    func report() async -> DoctorReport {
        var report = DoctorReport()
        let configuration = checkFiles(context, &report)
        if let client = checkKeyAndURL(context, configuration, &report) {
            await checkAPI(client, configuration, &report)
        }
        if checksLedger { checkLedger(context, configuration, &report) }
        return report
    }

    // MARK: Files

    /// The config and the rules; the configuration in effect (defaults when the file is bad).
    private func checkFiles(_ context: CommandContext, _ report: inout DoctorReport) -> Configuration {
        var configuration = context.applyingFlagsAndEnvironment(to: Configuration())
        do {
            let (loaded, findings) = try context.readConfiguration()
            configuration = loaded
            let path = context.configurationPath
            let errors = findings.filter(\.isError)
            if let first = errors.first {
                report.add(
                    "config", .failed, first.description + (errors.count > 1 ? " (and \(errors.count - 1) more)" : ""),
                    fix: "correct the file; 'threadkeeper check' lists every finding", area: .files)
            } else if let first = findings.first {
                report.add("config", .warning, first.description, fix: "see 'threadkeeper check'", area: .files)
            } else if FileManager.default.fileExists(atPath: path) {
                report.add("config", .ok, "'\(path)' loads", area: .files)
            } else {
                report.add("config", .ok, "no config file at '\(path)': the defaults apply", area: .files)
            }
        } catch {
            report.add("config", .failed, Self.describe(error), fix: "pass an existing file with --config", area: .files)
        }
        let directory = context.rulesDirectory(for: configuration)
        let (rules, findings) = RuleSet.load(
            directory: directory, hold: configuration.hold.value, budget: configuration.budget)
        let errors = findings.filter(\.isError)
        if let first = errors.first {
            report.add(
                "rules", .failed,
                "\(first.description)" + (errors.count > 1 ? " (and \(errors.count - 1) more)" : "")
                    + "; \(rules.count) rule\(rules.count == 1 ? "" : "s") load",
                fix: "correct the rule files; 'threadkeeper check' lists every finding; a rule that fails to load never runs",
                area: .files)
        } else if rules.isEmpty {
            report.add(
                "rules", .warning, "no rules in '\(directory)': nothing will run on a schedule",
                fix: "put NAME.rule files there (examples in the project's rules/)", area: .files)
        } else {
            report.add(
                "rules", .ok, "\(rules.count) rule\(rules.count == 1 ? "" : "s") in '\(directory)' load", area: .files)
        }
        return configuration
    }

    // MARK: Key and base URL

    private func checkKeyAndURL(
        _ context: CommandContext, _ configuration: Configuration, _ report: inout DoctorReport
    ) -> ThreadsClient? {
        var exposure: String?
        var key: APIKey?
        do {
            key = try context.loadAPIKey(configuration) { exposure = $0 }
            let source = key.map { "\($0.source)" } ?? ""
            if let exposure {
                report.add(
                    "key", .warning, "from \(source); \(exposure)", fix: "make the file readable by its owner alone",
                    area: .api)
            } else {
                report.add("key", .ok, "from \(source)", area: .api)
            }
        } catch {
            let message = Self.describe(error)
            let fix =
                message.contains("chmod")
                ? "make the key file readable by its owner alone (the command above), then run doctor again"
                : "give the key by LoadCredential=api-key:… in the unit, ApiKeyFile= in [API], or $THREADKEEPER_API_KEY"
            report.add("key", .failed, message, fix: fix, area: .api)
        }

        var settings = context.apiConfiguration(configuration, baseURL: baseURL)
        // One probe, not a call that must get through: a dead endpoint is reported in seconds.
        settings.maxAttempts = min(settings.maxAttempts, 2)
        settings.retryDeadline = min(settings.retryDeadline, 10)
        let resolved: ResolvedAPIConfiguration
        do {
            resolved = try settings.resolved()
        } catch {
            report.add(
                "base_url", .failed, Self.describe(error), fix: "correct BaseURL= and Provider= in [API] (or --base-url)",
                area: .files)
            return nil
        }
        // URL's host, not URLComponents' (which loads ICU for IDNA): the daemon runs this check.
        guard let components = URLComponents(string: resolved.baseURL), let host = URL(string: resolved.baseURL)?.host()
        else { return nil }
        let scheme = components.scheme?.lowercased() ?? ""
        if let failure = Self.resolve(host) {
            report.add(
                "base_url", .failed, "'\(resolved.baseURL)': host '\(host)' does not resolve (\(failure))",
                fix: "check the host name in BaseURL= and this machine's DNS", area: .api)
            return nil
        }
        let loopback = APIConfiguration.isLoopback(host: host)
        if scheme == "https" {
            report.add(
                "base_url", .ok, "'\(resolved.baseURL)' (\(settings.provider.rawValue)): https, certificates verified",
                area: .api)
        } else if loopback {
            report.add(
                "base_url", .ok, "'\(resolved.baseURL)' (\(settings.provider.rawValue)): plain http to loopback",
                area: .api)
        } else {
            report.add(
                "base_url", .warning,
                "'\(resolved.baseURL)': plain http to a remote host, allowed by AllowInsecure=yes: the key crosses the network unencrypted",
                fix: "use https and drop AllowInsecure=", area: .api)
        }
        // The process that sends every request (ThreadsAPI's HelperTransport).
        let helperFound: Bool
        switch HelperTransport.locate() {
        case .success(let path):
            report.add("http_helper", .ok, "\(HelperTransport.executableName) at \(path)", area: .api)
            helperFound = true
        case .failure(let error):
            report.add(
                "http_helper", .failed, error.detail,
                fix: "install threadkeeper-http in PREFIX/lib/threadkeeper/ or beside threadkeeper (scripts/install does)",
                area: .api)
            helperFound = false
        }
        guard let key else {
            report.add("key_accepted", .skipped, "no key to send", area: .api)
            report.add("probe", .skipped, "no key to send", area: .api)
            return nil
        }
        if let client { return client }
        guard helperFound else {
            report.add("key_accepted", .skipped, "no way to send a request", area: .api)
            report.add("probe", .skipped, "no way to send a request", area: .api)
            return nil
        }
        do {
            return try ThreadsClient(configuration: settings, key: key)
        } catch {
            report.add("probe", .failed, Self.describe(error), fix: "correct [API] in the config", area: .files)
            return nil
        }
    }

    /// Nil when `host` resolves; getaddrinfo's words otherwise.
    static func resolve(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let status = getaddrinfo(name, nil, &hints, &result)
        if let result { freeaddrinfo(result) }
        return status == 0 ? nil : String(cString: gai_strerror(status))
    }

    // MARK: The API

    private func checkAPI(_ client: ThreadsClient, _ configuration: Configuration, _ report: inout DoctorReport) async {
        let probe: ThreadsClient.ProbeReport
        // A provider that no longer serves threads (Provider=openai) is probed where it serves
        // their successor, conversations.
        let kind: APIObjectKind = client.configuration.provider.threadsRefusal == nil ? .thread : .conversation
        do {
            probe = try await client.probeReport(kind)
        } catch {
            report.add("probe", .failed, "interrupted", area: .api)
            return
        }
        let provider = client.configuration.provider
        if let error = probe.error {
            Self.explain(error, provider: provider, baseURL: client.baseURL, &report)
        } else {
            report.add("key_accepted", .ok, "the provider answered past the key check", area: .api)
            report.add(
                "probe", .ok,
                "GET \(kind.collection)/\(kind.probeID) got \(provider.rawValue)'s not-found answer: a 404 here proves a \(kind.rawValue) gone",
                area: .api)
        }
        guard probe.status != nil else { return }
        Self.rateLimits(probe.headers, requestsPerSecond: client.configuration.requestsPerSecond, &report)
        Self.clock(probe.headers["date"], now: Date(), &report)
    }

    /// The probe's failure as the key and probe lines.
    static func explain(_ error: APIError, provider: APIProvider, baseURL: String, _ report: inout DoctorReport) {
        let text = error.description
        switch (error.kind, error.status) {
        case (.http, 401?):
            report.add(
                "key_accepted", .failed, "the key was refused: \(text)",
                fix: "the key is wrong or revoked: put a valid key where the key line says it comes from", area: .api)
            report.add("probe", .skipped, "needs an accepted key", area: .api)
        case (.http, 403?):
            report.add(
                "key_accepted", .failed, "the key is known but may not do this (403, not a wrong key): \(text)",
                fix:
                    "the account is out of credits or the key lacks access to the Threads API: top up the balance or check the key's permissions",
                area: .api)
            report.add("probe", .skipped, "needs a key that may read threads", area: .api)
        case (.http, 400?) where error.code == "invalid_beta":
            report.add("key_accepted", .skipped, "the provider refused the call before the key mattered", area: .api)
            report.add(
                "probe", .failed, "the provider wants the OpenAI-Beta header: \(text)",
                fix: "add 'Header=OpenAI-Beta: assistants=v2' to [API] (Provider=openai sends it itself)", area: .api)
        case (.notTheAPI, _), (.redirect, _):
            report.add("key_accepted", .skipped, "the answer is not from the Threads API", area: .api)
            report.add(
                "probe", .failed, text,
                fix:
                    "BaseURL= '\(baseURL)' does not lead to the Threads API\(Self.expectedBase(provider)); check BaseURL= and Provider=",
                area: .api)
        case (.transport, _), (.deadlineExceeded, _), (.breakerOpen, _):
            report.add("key_accepted", .skipped, "no answer", area: .api)
            report.add(
                "probe", .failed, text, fix: "check that '\(baseURL)' is reachable from here (proxy, firewall, DNS)",
                area: .api)
        default:
            report.add("key_accepted", .skipped, "the probe did not get the provider's not-found answer", area: .api)
            report.add(
                "probe", .failed, text,
                fix: "this endpoint cannot be trusted to say what is gone; check BaseURL= and Provider=", area: .api)
        }
    }

    /// The provider's own base URL, as a clause.
    static func expectedBase(_ provider: APIProvider) -> String {
        switch provider {
        case .openai: return " (OpenAI's is https://api.openai.com/v1)"
        case .aimlapi: return " (AI/ML API's is https://api.aimlapi.com, without /v1)"
        case .custom: return ""
        }
    }

    /// What the rate-limit headers imply against `RequestsPerSecond=`.
    static func rateLimits(_ headers: [String: String], requestsPerSecond: Double, _ report: inout DoctorReport) {
        let names = headers.keys.filter { $0.hasPrefix("x-ratelimit-") || $0 == "retry-after" }.sorted()
        let configured = Self.number(requestsPerSecond)
        guard !names.isEmpty else {
            report.add(
                "rate_limits", .ok,
                "the provider sends no rate-limit headers: RequestsPerSecond=\(configured) is the only budget until a 429 with Retry-After slows the client",
                area: .api)
            return
        }
        let feedback = RateFeedback(status: 200, sentAt: 0, headers: headers)
        let sent = names.map { "\($0)=\(headers[$0] ?? "")" }.joined(separator: ", ")
        guard feedback.limit != nil else {
            report.add("rate_limits", .ok, "the provider sends \(sent); no request limit among them", area: .api)
            return
        }
        // The limiter's own reading (RateFeedback.refillRate), so doctor and the runs agree.
        guard let perSecond = feedback.refillRate else {
            report.add(
                "rate_limits", .ok,
                "the provider sends \(sent): nothing spent or no reset time, so no refill rate to read from one answer; RequestsPerSecond=\(configured) is the budget and the limiter follows these headers as answers come",
                area: .api)
            return
        }
        let detail =
            "the provider sends \(sent): it refills about \(Self.number(perSecond)) requests a second (\(Self.number(perSecond * 60)) a minute); RequestsPerSecond=\(configured)"
        if requestsPerSecond > perSecond {
            report.add(
                "rate_limits", .warning, detail,
                fix:
                    "set RequestsPerSecond= to at most \(Self.number(perSecond)) (the account's budget, shared with other clients of the key), or the limiter slows to it after the first answers",
                area: .api)
        } else {
            report.add("rate_limits", .ok, detail, area: .api)
        }
    }

    /// RFC 9110's IMF-fixdate (`Sun, 06 Dec 2026 02:40:00 GMT`), read field by field with
    /// libc's `timegm`, not a DateFormatter: the daemon runs this check, and Foundation's
    /// formatters load ICU (about 4 MiB of its resident memory).
    static func httpDate(_ text: String) -> Date? {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let fields = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, fields[0].count == 4, fields[0].hasSuffix(","), days.contains(String(fields[0].prefix(3))),
            fields[1].count == 2, let day = Int32(fields[1]), let month = months.firstIndex(of: fields[2]),
            fields[3].count == 4, let year = Int32(fields[3]), fields[5] == "GMT"
        else { return nil }
        let clock = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard fields[4].count == 8, clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]),
            let second = Int32(clock[2]), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, Int32(month), day)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (hour, minute, second)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// The local clock against the server's `Date`: rule ages are reckoned with the local clock.
    static func clock(_ date: String?, now: Date, _ report: inout DoctorReport) {
        guard let date else {
            report.add("clock", .warning, "the answer has no Date header: the clock could not be compared", area: .api)
            return
        }
        guard let server = httpDate(date) else {
            report.add("clock", .warning, "the Date header '\(date.prefix(60))' is not an HTTP date", area: .api)
            return
        }
        // Date has whole seconds and the answer took time to come: a few seconds are noise.
        let skew = now.timeIntervalSince(server)
        let words = "the local clock is \(Int(abs(skew).rounded())) s \(skew >= 0 ? "ahead of" : "behind") the server's Date"
        if abs(skew) <= 5 {
            report.add("clock", .ok, words, area: .api)
        } else {
            report.add(
                "clock", .warning, words + ": OlderThan= and IdleFor= are reckoned with the local clock",
                fix: "synchronise this machine's clock (systemd-timesyncd or chrony)", area: .api)
        }
    }

    // MARK: The ledger

    private func checkLedger(_ context: CommandContext, _ configuration: Configuration, _ report: inout DoctorReport) {
        let path = context.ledgerPath(for: configuration)
        guard FileManager.default.fileExists(atPath: path) else {
            report.add(
                "ledger", .warning, "'\(path)' does not exist yet",
                fix: "the first import, sync, create or run makes it; check --ledger or [Ledger] Path= if one should be there",
                area: .ledgerIO)
            report.add("audit", .skipped, "no ledger", area: .ledgerFile)
            return
        }
        let ledger: Ledger
        do {
            ledger = try Ledger(path: path, readOnly: true)
            report.add("ledger", .ok, "'\(path)' opens", area: .ledgerIO)
        } catch {
            report.add(
                "ledger", .failed, Self.describe(error), fix: "check the file's owner, mode and the disk", area: .ledgerIO)
            report.add("audit", .skipped, "the ledger does not open", area: .ledgerFile)
            return
        }
        do {
            let result = try ledger.verifyAudit()
            if result.isIntact {
                report.add(
                    "audit", .ok, "the hash chain holds over \(result.head.rows) rows, head \(result.head.hash)",
                    area: .ledgerFile)
            } else {
                let reason = result.firstBroken?.description ?? "the per-action links do not hold"
                report.add(
                    "audit", .failed, "the hash chain does not hold: \(reason)",
                    fix: "run 'threadkeeper audit --verify' for the details; restore the ledger from a backup", area: .ledgerFile)
            }
        } catch {
            report.add("audit", .failed, Self.describe(error), fix: "run 'threadkeeper audit --verify'", area: .ledgerFile)
        }
    }

    // MARK: Words

    static func describe(_ error: any Error) -> String {
        if let error = error as? any CLIReportable { return error.cliMessage }
        return String(describing: error)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
    }
}
