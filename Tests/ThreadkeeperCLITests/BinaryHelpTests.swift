import TestSupport
import Testing
import ThreadsAPI

@testable import ThreadkeeperCLI

/// Runs the built binary the way a user does and checks what it prints.
struct BinaryHelpTests {
    @Test func toolHelpListsEveryCommandAndExitCodes() throws {
        let result = try ProcessRunner.threadkeeper(["--help"])
        #expect(result.status == 0)
        for command in Threadkeeper.commands {
            let name = command.configuration.commandName
            #expect(result.standardOutput.contains("  \(name) "), "help lists \(name)")
        }
        #expect(result.standardOutput.contains("EXIT CODES:"))
        #expect(result.standardOutput.contains("64   bad usage"))
    }

    @Test(arguments: Threadkeeper.commands.map { $0.configuration.commandName })
    func everyCommandHasHelp(name: String) throws {
        let result = try ProcessRunner.threadkeeper(name.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("OVERVIEW: "))
        #expect(result.standardOutput.contains("USAGE: threadkeeper \(name)"))
        #expect(result.standardOutput.contains("--ledger FILE"))
        #expect(result.standardError.isEmpty)
    }

    @Test(arguments: [["archive", "--help"], ["archive", "-h"], ["archive", "help"], ["help", "archive"]])
    func aCommandGroupsHelpListsItsSubcommandsAndExitsZero(arguments: [String]) throws {
        let result = try ProcessRunner.threadkeeper(arguments)
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("USAGE: threadkeeper archive <subcommand> [<options>]\n"))
        #expect(result.standardOutput.contains("  archive show "))
        #expect(result.standardError.isEmpty)
        // A group alone or with an unknown subcommand stays a usage error.
        #expect(try ProcessRunner.threadkeeper(["archive"]).status == 64)
        #expect(try ProcessRunner.threadkeeper(["archive", "shwo"]).status == 64)
    }

    @Test(arguments: ["import", "run", "plan", "explain", "sync", "check", "status", "audit", "archive show"])
    func theMainCommandsShowExamplesThatNameThemselves(name: String) throws {
        let result = try ProcessRunner.threadkeeper(name.split(separator: " ").map(String.init) + ["--help"])
        let examples = try #require(result.standardOutput.components(separatedBy: "\nEXAMPLES:\n").last)
        let lines = examples.components(separatedBy: "\n\nEXIT CODES:")[0].split(separator: "\n")
        #expect(lines.count >= 2 && lines.count % 2 == 0, "\(examples)")
        #expect(lines.first?.hasPrefix("  # ") == true)
        #expect(lines.contains { $0.contains("threadkeeper\(name.hasPrefix("run") ? "" : " " + name)") }, "\(lines)")
        #expect(try ProcessRunner.threadkeeper(["--help"]).standardOutput.contains("\nEXAMPLES:\n  # "))
    }

    @Test func unknownCommandIsUsageError() throws {
        let result = try ProcessRunner.threadkeeper(["pahts"])
        #expect(result.status == 64)
        #expect(
            result.standardError.hasPrefix("threadkeeper: unknown command 'pahts'; did you mean 'paths'?\nUsage: threadkeeper <command>"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func unknownOptionPrintsOneLineAndUsage() throws {
        let result = try ProcessRunner.threadkeeper(["paths", "--bogus"])
        #expect(result.status == 64)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.first == "threadkeeper paths: unknown option '--bogus'")
        #expect(lines.dropFirst().first == "Usage: threadkeeper paths [<options>]")
    }

    @Test func versionPrints() throws {
        let result = try ProcessRunner.threadkeeper(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "threadkeeper \(ThreadkeeperVersion.current)\n")
    }

    @Test func pathsHonoursSharedOptionsAnywhere() throws {
        let result = try ProcessRunner.threadkeeper(["paths", "--json", "--ledger", "/tmp/l.sqlite3", "--rules=/r"])
        #expect(result.status == 0)
        #expect(result.standardOutput == #"{"config":"/etc/threadkeeper/threadkeeper.conf","ledger":"/tmp/l.sqlite3","rules":"/r"}"# + "\n")
    }
}
