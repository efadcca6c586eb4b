import CommandLineKit
import Foundation

/// `threadkeeper doctor`: whether this setup can work, line by line, without changing anything at the API.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Say, line by line, whether this setup can work, without changing anything at the API.",
        discussion: """
            Checks, each with ok, warning, skipped or failed and the fix in words: the config and rule \
            files load; where the key comes from and whether its file is readable by others; the base \
            URL (host resolves, https with verified certificates, plain http only to loopback); the \
            read-only probe, one GET of a thread id that cannot exist, which tells a refused key (401) \
            from an account out of credits or forbidden (403), a wrong base URL ('Invalid URL', HTML) \
            and a missing OpenAI-Beta header (400 invalid_beta) from the provider's not-found answer; \
            the rate-limit headers the provider sends against RequestsPerSecond=; the local clock \
            against the server's Date; the ledger opens (read-only) and its audit chain holds. \
            Nothing is created, changed or deleted, at the API or in the ledger.

            Examples:
              threadkeeper doctor
              threadkeeper doctor --config /etc/threadkeeper/threadkeeper.conf --json
              threadkeeper doctor --base-url http://127.0.0.1:8080
            """,
        options: [
            APIOptions.baseURL, OptionSpec.flag("--json", help: "Print every check as one JSON object (snake_case keys)."),
        ],
        exitCodes: [
            (.success, "nothing failed (warnings allowed)"),
            (.usage, "bad usage"),
            (.dataError, "the config, a rule file or the ledger's audit chain is bad"),
            (.unavailable, "the API cannot be used: no key, key refused, wrong base URL, missing header, no answer"),
            (.ioError, "the ledger cannot be opened"),
        ])

    var baseURL: String?
    var json: Bool

    init(arguments: ParsedArguments) throws {
        baseURL = arguments.value("--base-url")
        json = arguments.flag("--json")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let report = await Doctor(context: context, baseURL: baseURL).report()
        if json {
            context.print(JSONText.encode(report.jsonObject))
        } else {
            for line in report.text { context.print(line) }
        }
        return report.exitCode
    }
}
