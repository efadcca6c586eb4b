import CommandLineKit
import Executor
import Foundation
import Journal
import Ledger
import Rules
import ThreadsAPI

/// What `plan` and `run` share: the configuration, the rules named on the command line, the ledger.
struct RunSetup: Sendable {
    var configuration: Configuration
    var ledger: Ledger
    var ledgerPath: String
    var now: Int64

    /// `onlyReads`: open an existing ledger read-only (so root may `plan` on the service's
    /// ledger); a missing one is still created, by a user allowed to write there.
    static func load(_ context: CommandContext, readOnly: Bool = false, onlyReads: Bool = false) throws -> RunSetup {
        let configuration = try context.loadConfiguration()
        let path = context.ledgerPath(for: configuration)
        let readOnly = readOnly || (onlyReads && FileManager.default.fileExists(atPath: path))
        if !readOnly {
            try ServiceAccount.refuseRootWriting(ledgerPath: path, context: context)
            try ServiceAccount.checkServiceState(
                ledgerPath: path,
                archiveDirectory: ArchiveStore.defaultDirectory(ledgerPath: path, environment: context.environment),
                environment: context.environment)
        }
        let ledger = try Ledger(path: path, readOnly: readOnly)
        return RunSetup(
            configuration: configuration, ledger: ledger, ledgerPath: path, now: Int64(Date().timeIntervalSince1970))
    }

    var hold: String { configuration.hold.value }

    /// The rule `argument` names: a path to a `.rule` file, or a name in the rules directory.
    func rule(_ argument: String, _ context: CommandContext) throws -> Rule {
        let file: String
        if argument.contains("/") || argument.hasSuffix(".rule") {
            file = argument
        } else {
            file = context.rulesDirectory(for: configuration) + "/" + argument + ".rule"
        }
        guard FileManager.default.fileExists(atPath: file) else {
            throw CommandFailure(
                "no rule '\(argument)': '\(file)' does not exist; list the rules with 'threadkeeper rules' or give a path to a .rule file",
                exitCode: .dataError)
        }
        let (rules, diagnostics) = RuleSet.load(files: [file], hold: hold, budget: configuration.budget, now: now)
        for warning in diagnostics where !warning.isError { context.standardError.line(warning.description) }
        guard let rule = rules.first, !diagnostics.containsErrors else {
            throw RuleError(diagnostics: diagnostics.filter(\.isError))
        }
        return rule
    }

    /// An executor over this ledger and a client built from `[API]`.
    func executor(_ context: CommandContext, baseURL: String?, logger: Logger) throws -> Executor {
        let client = try context.makeThreadsClient(configuration, baseURL: baseURL)
        let archive = ArchiveStore(
            directory: ArchiveStore.defaultDirectory(ledgerPath: ledgerPath, environment: context.environment))
        return Executor(
            ledger: ledger, client: client,
            settings: ExecutorSettings(concurrency: configuration.concurrency.value, archive: archive), logger: logger)
    }
}
