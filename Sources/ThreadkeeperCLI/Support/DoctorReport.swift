import CommandLineKit
import Foundation
import JSON

/// What `threadkeeper doctor` found, one check a line.
struct DoctorReport {
    enum Status: String {
        case ok
        case warning
        /// Not run, because a check it needs failed.
        case skipped
        case failed
    }

    /// Which exit code a failed check stands for.
    enum Area {
        /// The config or a rule file: 65.
        case files
        /// The key, the base URL, the provider: 69.
        case api
        /// The ledger cannot be opened: 74.
        case ledgerIO
        /// The ledger's audit chain does not hold: 65, a bad file.
        case ledgerFile
    }

    struct Check {
        /// snake_case, for `--json`: `config`, `rules`, `key`, `base_url`, `key_accepted`, `probe`,
        /// `rate_limits`, `clock`, `ledger`, `audit`.
        var name: String
        var status: Status
        var detail: String
        /// What to do, in words; nil when nothing is to be done.
        var fix: String?
        var area: Area
    }

    var checks: [Check] = []

    mutating func add(_ name: String, _ status: Status, _ detail: String, fix: String? = nil, area: Area) {
        checks.append(Check(name: name, status: status, detail: detail, fix: fix, area: area))
    }

    func count(_ status: Status) -> Int { checks.filter { $0.status == status }.count }

    /// 0 when nothing failed; else the first of 65 (bad files), 69 (the API cannot be used),
    /// 74 (the ledger cannot be opened), 65 (the audit chain does not hold).
    var exitCode: ExitCode {
        let failed = checks.filter { $0.status == .failed }.map(\.area)
        if failed.contains(.files) { return .dataError }
        if failed.contains(.api) { return .unavailable }
        if failed.contains(.ledgerIO) { return .ioError }
        if failed.contains(.ledgerFile) { return .dataError }
        return .success
    }

    /// `ok      name: detail`, with the fix on the next line, and a verdict.
    var text: [String] {
        var lines: [String] = []
        for check in checks {
            let label = check.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("\(label)\(check.name): \(check.detail)")
            if let fix = check.fix { lines.append("        fix: \(fix)") }
        }
        let failed = count(.failed)
        let verdict: String
        switch exitCode {
        case .success: verdict = "this setup can work"
        case .unavailable: verdict = "the API cannot be used with this setup"
        case .dataError: verdict = "fix the files named above first"
        default: verdict = "the ledger cannot be used"
        }
        lines.append(
            "\(count(.ok)) ok, \(count(.warning)) warning\(count(.warning) == 1 ? "" : "s"), \(failed) failed: \(verdict)")
        return lines
    }

    /// `{"checks":[{"name","status","detail","fix"}…],"ok","warnings","skipped","failed","exit_code"}`.
    var jsonObject: JSONValue {
        [
            "checks": .array(
                checks.map { check -> JSONValue in
                    [
                        "name": .init(check.name), "status": .init(check.status.rawValue), "detail": .init(check.detail),
                        "fix": .init(check.fix),
                    ]
                }),
            "ok": .init(count(.ok)), "warnings": .init(count(.warning)), "skipped": .init(count(.skipped)),
            "failed": .init(count(.failed)), "exit_code": .init(Int(exitCode.rawValue)),
        ]
    }
}
